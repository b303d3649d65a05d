"""Priority tags and due times for the staff pages: the work list and each case."""

from __future__ import annotations

from dataclasses import dataclass

from returns_service.cases.policy import CasePolicy
from returns_service.cases.read_model import Case, Waiting


@dataclass(frozen=True)
class Tag:
    """What a row shows: the priority (its code; the page gives its colour and word) and the
    next due time in the shop's time zone."""

    priority: str
    due: str
    overdue: bool


def case_tag(case: Case, policy: CasePolicy) -> Tag:
    """A triaged case's tag: the first response's due time until answered, then resolution's."""
    due = case.first_response_due_at if case.first_responded_at is None else None
    if due is None and case.waiting_on is Waiting.SHOP:
        due = case.resolution_due_at
    return Tag(
        priority=case.priority.value,
        due=due.astimezone(policy.calendar.timezone).strftime("%m/%d %H:%M") if due else "",
        overdue=case.overdue,
    )
