"""Priority tags and due times for the staff pages: the work list and each case."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from returns_service.cases.policy import PRIORITY_RANK, CasePolicy
from returns_service.cases.read_model import Case, Waiting, load_cases, triage


@dataclass(frozen=True)
class Tag:
    """What a row shows: the priority (its code; the page gives its colour and word) and the
    next due time in the shop's time zone."""

    priority: str
    #: Sorts the list: urgent first.
    rank: int
    due: str
    overdue: bool


def case_tag(case: Case, policy: CasePolicy) -> Tag:
    """A triaged case's tag: the first response's due time until answered, then resolution's."""
    due = case.first_response_due_at if case.first_responded_at is None else None
    if due is None and case.waiting_on is Waiting.SHOP:
        due = case.resolution_due_at
    return Tag(
        priority=case.priority.value,
        rank=PRIORITY_RANK[case.priority],
        due=due.astimezone(policy.calendar.timezone).strftime("%m/%d %H:%M") if due else "",
        overdue=case.overdue,
    )


def return_tags(
    session: Session, return_ids: Iterable[int], policy: CasePolicy, now: datetime
) -> dict[int, Tag]:
    """A tag per return id."""
    subjects = [("return", i) for i in return_ids]
    if not subjects:
        return {}
    cases = triage(load_cases(session, include_closed=True, subjects=subjects), policy, now)
    return {case.subject_id: case_tag(case, policy) for case in cases}
