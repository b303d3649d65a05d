"""Priority tags and due times for the staff pages: the work list and each case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from returns_service.cases.policy import CasePolicy, Priority
from returns_service.cases.read_model import Case, Waiting
from returns_service.cases.triage import Promises


@dataclass(frozen=True)
class Tag:
    """What a row shows: the priority (its code; the page gives its colour and word) and the
    next due time in the shop's time zone."""

    priority: str
    due: str
    overdue: bool


def tag(
    priority: Priority,
    kept: Promises,
    *,
    first_responded_at: datetime | None,
    waiting_on: Waiting,
    policy: CasePolicy,
) -> Tag:
    """The first response's due time until answered, then resolution's while the shop decides."""
    due = kept.first_response_due_at if first_responded_at is None else None
    if due is None and waiting_on is Waiting.SHOP:
        due = kept.resolution_due_at
    return Tag(
        priority=priority.value,
        due=due.astimezone(policy.calendar.timezone).strftime("%m/%d %H:%M") if due else "",
        overdue=bool(kept.overdue_for),
    )


def case_tag(case: Case, policy: CasePolicy) -> Tag:
    """A triaged case's tag."""
    assert case.first_response_due_at and case.resolution_due_at  # set by triage
    kept = Promises(case.first_response_due_at, case.resolution_due_at, case.overdue_for)
    return tag(
        case.priority,
        kept,
        first_responded_at=case.first_responded_at,
        waiting_on=case.waiting_on,
        policy=policy,
    )
