"""A case's priority and due times for the moment of reading: the promises the desk made.

Priority aging and being overdue depend on ``now``, so they are worked out on every read of
the cases (:mod:`returns_service.cases.read_model`) rather than stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from returns_service.cases.policy import CasePolicy, Priority
from returns_service.cases.read_model import Case, Waiting


def triage(cases: Iterable[Case], policy: CasePolicy, now: datetime) -> list[Case]:
    """Give each case its priority (aged where it waited too long) and due times; sorted."""
    result = []
    for case in cases:
        kept = promises_of(case, policy, now)
        case.first_response_due_at = kept.first_response_due_at
        case.resolution_due_at = kept.resolution_due_at
        case.overdue_for = kept.overdue_for
        case.base_priority = policy.base_priority(case.signals)
        case.aged = case.waiting_on is Waiting.SHOP and policy.aged(case.arrived_at, now)
        case.priority = case.base_priority
        if case.priority is Priority.NORMAL and case.aged:
            case.priority = Priority.HIGH
        result.append(case)
    return sorted(result, key=Case.sort_key)


@dataclass(frozen=True)
class Promises:
    """When a case must be answered and decided, and which of those it has missed."""

    first_response_due_at: datetime
    resolution_due_at: datetime
    overdue_for: list[str]


def promises_of(case: Case, policy: CasePolicy, now: datetime) -> Promises:
    """:func:`promises` for a case read with its moments."""
    return promises(
        policy,
        now,
        arrived_at=case.arrived_at,
        waiting_on=case.waiting_on,
        first_responded_at=case.first_responded_at,
        resolved_at=case.resolved_at,
    )


def promises(
    policy: CasePolicy,
    now: datetime,
    *,
    arrived_at: datetime,
    waiting_on: Waiting,
    first_responded_at: datetime | None,
    resolved_at: datetime | None,
) -> Promises:
    """A case's due times for ``now`` and the promises it has missed."""
    first_due = policy.first_response_due(arrived_at)
    resolution_due = policy.resolution_due(arrived_at)
    overdue_for = []
    # Only the desk can miss a promise: a decided case waits on the customer.
    if waiting_on is Waiting.SHOP:
        if first_responded_at is None and now > first_due:
            overdue_for.append("first_response")
        if resolved_at is None and now > resolution_due:
            overdue_for.append("resolution")
    return Promises(first_due, resolution_due, overdue_for)
