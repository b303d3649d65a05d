"""What a case page lists of a case, read for showing only: its timeline, its internal
notes and (for a return) its refunds, in one statement rather than one per table.

Each is a row of a ``UNION ALL``: the columns every record has (which part it is, its id
and time), then a column per attribute of each part, empty in the other parts' rows. The
records come back under the mapped classes' attribute names, so the templates and the case
read them as they read an ``Event``, a ``CaseNote`` or a ``Refund``; nothing here can be
changed or saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from types import SimpleNamespace
from typing import Any

from sqlalchemy import CompoundSelect, Select, bindparam, cast, literal_column, null, select
from sqlalchemy.orm import Session

from returns_service.cases.models import CaseNote
from returns_service.events import Event
from returns_service.refunds.models import Refund

#: Each part's class and the attributes a page shows of it, beyond its id and time.
_PARTS: tuple[tuple[type[Any], tuple[str, ...]], ...] = (
    (Event, ("kind", "actor", "message", "data")),
    (CaseNote, ("author", "body")),
    (Refund, ("amount", "currency", "method", "status")),
)
_TIMELINE, _NOTES, _REFUNDS = range(len(_PARTS))
#: Every part's attributes in the statement's order, after the part, id and time.
_SLOTS = [(part, name) for part, (_, names) in enumerate(_PARTS) for name in names]
_FIRST_SLOT = 3


@dataclass(frozen=True)
class CaseRecords:
    """A case's events and notes (oldest first), and its refunds (a return's) in order."""

    timeline: list[Any]
    notes: list[Any]
    refunds: list[Any]


def case_records(session: Session, subject_type: str, subject_id: int) -> CaseRecords:
    """The case's timeline, notes and refunds (a return's only), in one round trip."""
    found: tuple[list[Any], ...] = ([], [], [])
    rows = session.connection().execute(
        _statement(subject_type), {"type": subject_type, "id": subject_id}
    )
    for row in rows:
        part = row[0]
        record = SimpleNamespace(id=row[1], created_at=row[2])
        for name, index in _SHOWN[part]:
            setattr(record, name, row[index])
        found[part].append(record)
    return CaseRecords(*found)


#: Per part, where each of its attributes sits in a row.
_SHOWN = [
    [(name, _FIRST_SLOT + slot) for slot, (owner, name) in enumerate(_SLOTS) if owner == part]
    for part in range(len(_PARTS))
]


@cache
def _statement(subject_type: str) -> CompoundSelect:
    """Built once per kind of case: only its id changes between pages. A return's refunds
    are those naming it; other cases' pages show no refund list."""
    of_subject = [
        _part(_TIMELINE).where(
            Event.subject_type == bindparam("type"), Event.subject_id == bindparam("id")
        ),
        _part(_NOTES).where(
            CaseNote.subject_type == bindparam("type"), CaseNote.subject_id == bindparam("id")
        ),
    ]
    if subject_type == "return":
        of_subject.append(_part(_REFUNDS).where(Refund.return_id == bindparam("id")))
    first = of_subject[0]
    return first.union_all(*of_subject[1:]).order_by(literal_column("part"), literal_column("id"))


def _part(part: int) -> Select:
    """One part's rows: its own attributes, typed empty columns for the others' (so that
    every database finds each column's type whatever the order of the parts)."""
    model = _PARTS[part][0]
    columns = [
        getattr(model, name) if owner == part else cast(null(), _column_type(owner, name))
        for owner, name in _SLOTS
    ]
    return select(
        literal_column(str(part)).label("part"),
        model.id.label("id"),
        model.created_at.label("created_at"),
        *(
            column.label(f"{name}_{owner}")
            for column, (owner, name) in zip(columns, _SLOTS, strict=True)
        ),
    )


def _column_type(part: int, name: str) -> Any:
    return getattr(_PARTS[part][0], name).type
