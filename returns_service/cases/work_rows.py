"""A listed case as the work list shows it: its priority, due time and lateness worked
out from the page statement's row, as ``triage`` would give them."""

from __future__ import annotations

from dataclasses import astuple, dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from returns_service.cases.policy import PRIORITY_RANK, CasePolicy, Priority
from returns_service.cases.read_model import (
    CaseKind,
    Waiting,
    cancellation_waiting_on,
    return_waiting_on,
    subscription_waiting_on,
)
from returns_service.cases.tags import Tag, tag
from returns_service.cases.triage import promises

#: The priority of a rank kept on a case.
RANKED_PRIORITY = {rank: priority for priority, rank in PRIORITY_RANK.items()}


@dataclass(frozen=True)
class WorkRow:
    """One listed case as the list shows it, with the customer it belongs to."""

    subject_type: str
    subject_id: int
    kind: CaseKind
    status: str
    order_number: str
    #: The RMA of a return or exchange, a subscription's reference, else the order number.
    reference: str
    reasons: tuple[str, ...]
    assignee: str | None
    arrived_at: datetime
    customer_name: str
    customer_email: str
    tag: Tag

    def __hash__(self) -> int:
        return self._hash

    @cached_property
    def _hash(self) -> int:
        """Worked out once: a page's kept markup is found by its row, page after page."""
        return hash(astuple(self))

    @property
    def ref(self) -> str:
        """The case's id in the API: ``return-12``, ``cancellation-3``, ``subscription-5``."""
        return f"{self.subject_type}-{self.subject_id}"


def _waiting_on(subject_type: str, status: str) -> Waiting:
    if subject_type == "return":
        return return_waiting_on(status)
    if subject_type == "cancellation":
        return cancellation_waiting_on(status)
    return subscription_waiting_on(status)


@dataclass
class _Listed:
    """What a listed case's row fixes whatever ``now`` is: whom it waits on and its due
    times; and the row as shown, by whether it is overdue and whether it has aged."""

    waiting_on: Waiting
    first_due: datetime
    resolution_due: datetime
    shown: dict[tuple[bool, bool], WorkRow] = field(default_factory=dict)


def work_row(found: Any, policy: CasePolicy, now: datetime, aged_cutoff: datetime) -> WorkRow:
    """A listed case with its tag: its priority as ``triage`` gives it, due time, lateness;
    a case that arrived by ``aged_cutoff`` has aged (:meth:`CasePolicy.aging_cutoff`).

    Kept under the values of the statement's whole row, then the two things ``now`` changes
    (whether the case is overdue, whether it has aged): a list shows the same cases page
    after page."""
    # Kept under the row's values as a tuple, which compares them with the kept key in C (a
    # statement's row compares in Python, at a few microseconds a row).
    listed = policy.listed.get(tuple(found), lambda: _listed(found, policy))
    shop = listed.waiting_on is Waiting.SHOP
    overdue = shop and (
        (found.first_answer is None and now > listed.first_due)
        or (found.resolved_at is None and now > listed.resolution_due)
    )
    key = (overdue, shop and found.created_at <= aged_cutoff)
    row = listed.shown.get(key)
    if row is None:
        row = listed.shown[key] = _worked_out(found, listed.waiting_on, policy, now, aged_cutoff)
    return row


def _listed(found: Any, policy: CasePolicy) -> _Listed:
    return _Listed(
        _waiting_on(found.subject_type, found.status),
        policy.first_response_due(found.created_at),
        policy.resolution_due(found.created_at),
    )


def _worked_out(
    found: Any, waiting_on: Waiting, policy: CasePolicy, now: datetime, aged_cutoff: datetime
) -> WorkRow:
    kept = promises(
        policy,
        now,
        arrived_at=found.created_at,
        waiting_on=waiting_on,
        first_responded_at=found.first_answer,
        resolved_at=found.resolved_at,
    )
    if found.subject_type == "return":
        reasons = tuple(sorted(set(found.line_reasons.split(",")))) if found.line_reasons else ()
    else:
        reasons = (found.reason,) if found.reason else ()
    priority = RANKED_PRIORITY[found.signal_rank]
    # A normal case the shop has held too long counts as high.
    if priority is Priority.NORMAL and waiting_on is Waiting.SHOP:
        if found.created_at <= aged_cutoff:
            priority = Priority.HIGH
    return WorkRow(
        subject_type=found.subject_type,
        subject_id=found.subject_id,
        kind=CaseKind(found.kind),
        status=found.status,
        order_number=found.order_number,
        reference=found.reference or found.order_number,
        reasons=reasons,
        assignee=found.assignee,
        arrived_at=found.created_at,
        customer_name=found.customer_name or "",
        customer_email=found.customer_email or "",
        tag=tag(
            priority,
            kept,
            first_responded_at=found.first_answer,
            waiting_on=waiting_on,
            policy=policy,
        ),
    )
