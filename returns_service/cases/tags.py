"""Priority tags and due times for pages that list returns (the staff work list)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from returns_service.cases.policy import PRIORITY_RANK, CasePolicy
from returns_service.cases.read_model import Waiting, load_cases, triage


@dataclass(frozen=True)
class Tag:
    """What a row shows: the priority (its code; the page gives its colour and word) and the
    next due time in the shop's time zone."""

    priority: str
    #: Sorts the list: urgent first.
    rank: int
    due: str
    overdue: bool


def return_tags(
    session: Session, return_ids: Iterable[int], policy: CasePolicy, now: datetime
) -> dict[int, Tag]:
    """A tag per return id: the first response's due time until answered, then resolution's."""
    subjects = [("return", i) for i in return_ids]
    if not subjects:
        return {}
    tags = {}
    for case in triage(load_cases(session, include_closed=True, subjects=subjects), policy, now):
        due = case.first_response_due_at if case.first_responded_at is None else None
        if due is None and case.waiting_on is Waiting.SHOP:
            due = case.resolution_due_at
        tags[case.subject_id] = Tag(
            priority=case.priority.value,
            rank=PRIORITY_RANK[case.priority],
            due=due.astimezone(policy.calendar.timezone).strftime("%m/%d %H:%M") if due else "",
            overdue=case.overdue,
        )
    return tags
