"""What the desk does to a case: take it, let it go, leave a note."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from returns_service.cases.models import CaseFile, CaseNote
from returns_service.cases.read_model import Case, load_cases
from returns_service.errors import Conflict, InvalidInput, NotFound

NOTE_MAX_LENGTH = 4000


def find_case(session: Session, subject_type: str, subject_id: int) -> Case:
    """One case, of any kind, closed or not; ``NotFound`` if there is none."""
    found = load_cases(session, include_closed=True, subjects=[(subject_type, subject_id)])
    if not found:
        raise NotFound(f"no case {subject_type}-{subject_id}")
    return found[0]


def case_file(session: Session, case: Case, now: datetime, *, lock: bool = False) -> CaseFile:
    """The case's own record, created on first use (in the caller's transaction)."""
    query = select(CaseFile).where(
        CaseFile.subject_type == case.subject_type, CaseFile.subject_id == case.subject_id
    )
    found = session.scalar(query.with_for_update() if lock else query)
    if found is None:
        found = CaseFile(subject_type=case.subject_type, subject_id=case.subject_id, created_at=now)
        session.add(found)
        session.flush()
    case.file = found
    return found


def assign(session: Session, now: datetime, case: Case, assignee: str, *, force: bool) -> CaseFile:
    """Give the case to ``assignee``; taking one someone else holds needs ``force``."""
    record = case_file(session, case, now, lock=True)
    if record.assignee and record.assignee != assignee and not force:
        raise Conflict(f"case {case.ref} is assigned to {record.assignee}", field="assignee")
    if record.assignee != assignee:
        record.assignee = assignee
        record.assigned_at = now
    return record


def release(session: Session, now: datetime, case: Case) -> CaseFile:
    """Leave the case to anyone again."""
    record = case_file(session, case, now, lock=True)
    record.assignee = None
    record.assigned_at = None
    return record


def add_note(session: Session, now: datetime, case: Case, author: str, body: str) -> CaseNote:
    """Keep a staff note on the case."""
    text = (body or "").strip()
    if not text:
        raise InvalidInput("a note needs some text", field="body")
    if len(text) > NOTE_MAX_LENGTH:
        raise InvalidInput(f"a note is at most {NOTE_MAX_LENGTH} characters", field="body")
    note = CaseNote(
        subject_type=case.subject_type,
        subject_id=case.subject_id,
        author=author,
        body=text,
        created_at=now,
    )
    session.add(note)
    return note


def notes(session: Session, case: Case) -> list[CaseNote]:
    """The case's notes, oldest first."""
    return list(session.scalars(_NOTES, {"type": case.subject_type, "id": case.subject_id}))


#: Built once: a case's notes in order.
_NOTES = (
    select(CaseNote)
    .where(CaseNote.subject_type == bindparam("type"), CaseNote.subject_id == bindparam("id"))
    .order_by(CaseNote.id)
)
