"""Cases computed from the domains' rows and timelines, with priority and due times.

A case is read, never written, here: the return, cancellation or subscription flow is the
source of truth. Priority aging and being overdue depend on the moment of reading, so they
are worked out for ``now`` on every read rather than stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from returns_service.cancellations.models import (
    Cancellation,
    CancellationLine,
    CancellationStatus,
)
from returns_service.cases.answers import RESPONDING, responds
from returns_service.cases.case_states import (
    CANCELLATION_CLOSED,
    CANCELLATION_UNDECIDED,
    RETURN_CLOSED,
    RETURN_UNDECIDED,
    SUBSCRIPTION_CLOSED,
)
from returns_service.cases.models import CaseFile, CaseNote
from returns_service.cases.policy import PRIORITY_RANK, Priority
from returns_service.cases.subject_keys import IDS_PER_STATEMENT, batches, subjects_in
from returns_service.events import Event
from returns_service.orders.models import Order
from returns_service.returns.models import Resolution, ReturnLine, ReturnRequest, ReturnStatus
from returns_service.subscriptions.models import FlowStatus, SubscriptionCancellation


class CaseKind(StrEnum):
    """What the customer asked for."""

    RETURN = "return"
    EXCHANGE = "exchange"
    ORDER_CANCELLATION = "order_cancellation"
    SUBSCRIPTION_CANCELLATION = "subscription_cancellation"


class Waiting(StrEnum):
    """Whose move it is."""

    SHOP = "shop"  # the desk (or the warehouse it asked) must decide
    CUSTOMER = "customer"  # decided; the customer or their parcel is on the way
    CLOSED = "closed"


_R, _C, _F = ReturnStatus, CancellationStatus, FlowStatus
#: Statuses after which the customer gets the satisfaction survey.
SURVEYED_STATUSES = frozenset(
    {_R.COMPLETED.value, _R.REJECTED.value, *(s.value for s in CANCELLATION_CLOSED)}
    | {s.value for s in SUBSCRIPTION_CLOSED}
)


def return_kind(resolution: Resolution) -> CaseKind:
    """A return's kind of case: an exchange, or a return."""
    return CaseKind.EXCHANGE if resolution is Resolution.EXCHANGE else CaseKind.RETURN


def return_waiting_on(status: str) -> Waiting:
    """Whose move a return in ``status`` waits for."""
    if status in RETURN_UNDECIDED:
        return Waiting.SHOP
    return Waiting.CLOSED if status in RETURN_CLOSED else Waiting.CUSTOMER


def cancellation_waiting_on(status: str) -> Waiting:
    """Whose move an order's cancellation in ``status`` waits for."""
    return Waiting.SHOP if status in CANCELLATION_UNDECIDED else Waiting.CLOSED


def subscription_waiting_on(status: str) -> Waiting:
    """Whose move a subscription's cancellation waits for: the offers are shown at once,
    and what follows is the customer's choice."""
    return Waiting.CUSTOMER if status == FlowStatus.OFFERED else Waiting.CLOSED


@dataclass
class Case:
    """One customer request as the desk sees it."""

    subject_type: str
    subject_id: int
    kind: CaseKind
    status: str
    waiting_on: Waiting
    order_id: int
    order_number: str
    #: The RMA of a return or exchange; the order number otherwise.
    reference: str
    locale: str
    reasons: list[str]
    comments: list[str]
    #: The products the case is about.
    skus: list[str]
    arrived_at: datetime
    #: A decision (by the rules at once, or a person) or a person's first action.
    first_responded_at: datetime | None
    #: When the case was decided: approved or rejected, settled, or the flow closed.
    resolved_at: datetime | None
    closed_at: datetime | None
    signals: set[str]
    priority: Priority = Priority.NORMAL
    base_priority: Priority = Priority.NORMAL
    aged: bool = False
    first_response_due_at: datetime | None = None
    resolution_due_at: datetime | None = None
    overdue_for: list[str] = field(default_factory=list)
    file: CaseFile | None = None
    #: Filled in for display: other orders that may hold a wrongly shipped item, and notes.
    possibly_swapped_with: list[dict[str, object]] = field(default_factory=list)
    notes: list[CaseNote] = field(default_factory=list)

    @property
    def ref(self) -> str:
        """The case's id in the API: ``return-12``, ``cancellation-3``, ``subscription-5``."""
        return f"{self.subject_type}-{self.subject_id}"

    @property
    def overdue(self) -> bool:
        """Whether a promise to the customer has been missed and the case still waits."""
        return bool(self.overdue_for)

    @property
    def assignee(self) -> str | None:
        """Who took the case, if anyone."""
        return self.file.assignee if self.file else None

    def sort_key(self) -> tuple[int, datetime, str, int]:
        """Priority first, then arrival: the work list's order."""
        return (PRIORITY_RANK[self.priority], self.arrived_at, self.subject_type, self.subject_id)


def parse_ref(ref: str) -> tuple[str, int] | None:
    """``return-12`` as ``("return", 12)``; None for anything else."""
    subject_type, _, number = ref.rpartition("-")
    if subject_type not in ("return", "cancellation", "subscription") or not number.isdigit():
        return None
    return subject_type, int(number)


def load_cases(
    session: Session,
    *,
    kinds: Iterable[CaseKind] = tuple(CaseKind),
    include_closed: bool = False,
    subjects: Sequence[tuple[str, int]] | None = None,
    arrived: tuple[datetime, datetime] | None = None,
) -> list[Case]:
    """The cases of the given kinds (open ones unless asked), before triage.

    ``subjects`` picks cases by their subject (none when it is empty); ``arrived`` keeps
    those filed in a period.
    """
    if subjects is not None and len(subjects) > IDS_PER_STATEMENT:
        return [
            case
            for batch in batches(list(subjects))
            for case in load_cases(
                session, kinds=kinds, include_closed=include_closed, subjects=batch, arrived=arrived
            )
        ]
    kinds = set(kinds)
    found: list[Case] = []
    wanted = (
        {t: [i for s, i in subjects if s == t] for t in _SUBJECTS} if subjects is not None else None
    )
    return_kinds = kinds & {CaseKind.RETURN, CaseKind.EXCHANGE}
    if return_kinds and (wanted is None or wanted["return"]):
        found += _returns(
            session, return_kinds, include_closed, wanted and wanted["return"], arrived
        )
    if CaseKind.ORDER_CANCELLATION in kinds and (wanted is None or wanted["cancellation"]):
        found += _cancellations(session, include_closed, wanted and wanted["cancellation"], arrived)
    if CaseKind.SUBSCRIPTION_CANCELLATION in kinds and (wanted is None or wanted["subscription"]):
        found += _subscriptions(session, include_closed, wanted and wanted["subscription"], arrived)
    _attach_first_responses(session, found)
    _attach_files(session, found)
    return found


_SUBJECTS = ("return", "cancellation", "subscription")


def _shipment_signals(order: Order) -> set[str]:
    return {f"shipment:{shipment.status.value}" for shipment in order.shipments}


def _returns(
    session: Session,
    kinds: set[CaseKind],
    include_closed: bool,
    ids: list[int] | None,
    arrived: tuple[datetime, datetime] | None,
) -> list[Case]:
    query = select(ReturnRequest).options(
        selectinload(ReturnRequest.lines).selectinload(ReturnLine.order_line),
        selectinload(ReturnRequest.order).selectinload(Order.shipments),
    )
    if ids is not None:
        query = query.where(ReturnRequest.id.in_(ids))
    elif not include_closed:
        query = query.where(ReturnRequest.status.not_in(RETURN_CLOSED))
    if arrived:
        query = query.where(ReturnRequest.created_at.between(*arrived))
    if kinds == {CaseKind.EXCHANGE}:
        query = query.where(ReturnRequest.resolution == Resolution.EXCHANGE)
    elif kinds == {CaseKind.RETURN}:
        query = query.where(ReturnRequest.resolution != Resolution.EXCHANGE)
    return [return_case(request) for request in session.scalars(query)]


def return_case(request: ReturnRequest) -> Case:
    """A return's case before triage, first response and file; its lines with their order
    lines and its order with its shipments are read."""
    reasons = sorted({line.reason for line in request.lines})
    status = request.status
    return Case(
        subject_type="return",
        subject_id=request.id,
        kind=return_kind(request.resolution),
        status=status.value,
        waiting_on=return_waiting_on(status),
        order_id=request.order_id,
        order_number=request.order.number,
        reference=request.rma,
        locale=request.locale,
        reasons=reasons,
        comments=[line.comment for line in request.lines if line.comment],
        skus=sorted({line.order_line.sku for line in request.lines}),
        arrived_at=request.created_at,
        first_responded_at=None,
        resolved_at=request.decided_at,
        closed_at=request.updated_at if status in RETURN_CLOSED else None,
        signals={f"reason:{r}" for r in reasons}
        | {f"status:{status.value}"}
        | _shipment_signals(request.order),
    )


def _cancellations(
    session: Session,
    include_closed: bool,
    ids: list[int] | None,
    arrived: tuple[datetime, datetime] | None,
) -> list[Case]:
    query = select(Cancellation).options(
        selectinload(Cancellation.order).selectinload(Order.shipments),
        selectinload(Cancellation.lines).selectinload(CancellationLine.order_line),
        selectinload(Cancellation.order).selectinload(Order.lines),
    )
    if ids is not None:
        query = query.where(Cancellation.id.in_(ids))
    elif not include_closed:
        query = query.where(Cancellation.status.not_in(CANCELLATION_CLOSED))
    if arrived:
        query = query.where(Cancellation.created_at.between(*arrived))
    cases = []
    for cancellation in session.scalars(query):
        status = cancellation.status
        reasons = [cancellation.reason] if cancellation.reason else []
        cases.append(
            Case(
                subject_type="cancellation",
                subject_id=cancellation.id,
                kind=CaseKind.ORDER_CANCELLATION,
                status=status.value,
                waiting_on=cancellation_waiting_on(status),
                order_id=cancellation.order_id,
                order_number=cancellation.order.number,
                reference=cancellation.order.number,
                locale=cancellation.locale,
                reasons=reasons,
                comments=[cancellation.comment] if cancellation.comment else [],
                skus=sorted(
                    {line.order_line.sku for line in cancellation.lines}
                    or {line.sku for line in cancellation.order.lines}
                ),
                arrived_at=cancellation.created_at,
                first_responded_at=None,
                resolved_at=cancellation.settled_at,
                closed_at=cancellation.settled_at,
                signals={f"reason:{r}" for r in reasons}
                | {f"status:{status.value}"}
                | _shipment_signals(cancellation.order),
            )
        )
    return cases


def _subscriptions(
    session: Session,
    include_closed: bool,
    ids: list[int] | None,
    arrived: tuple[datetime, datetime] | None,
) -> list[Case]:
    query = select(SubscriptionCancellation).options(
        selectinload(SubscriptionCancellation.order).selectinload(Order.lines)
    )
    if ids is not None:
        query = query.where(SubscriptionCancellation.id.in_(ids))
    elif include_closed:
        query = query.where(SubscriptionCancellation.status != FlowStatus.SUPERSEDED)
    else:
        query = query.where(SubscriptionCancellation.status == FlowStatus.OFFERED)
    if arrived:
        query = query.where(SubscriptionCancellation.created_at.between(*arrived))
    cases = []
    for flow in session.scalars(query):
        status = flow.status
        cases.append(
            Case(
                subject_type="subscription",
                subject_id=flow.id,
                kind=CaseKind.SUBSCRIPTION_CANCELLATION,
                status=status.value,
                waiting_on=subscription_waiting_on(status),
                order_id=flow.order_id,
                order_number=flow.order.number,
                reference=flow.subscription_reference,
                locale=flow.locale,
                reasons=[flow.reason.value],
                comments=[flow.comment] if flow.comment else [],
                skus=sorted({line.sku for line in flow.order.lines}),
                arrived_at=flow.created_at,
                first_responded_at=flow.created_at,
                resolved_at=flow.closed_at,
                closed_at=flow.closed_at,
                signals={f"reason:{flow.reason.value}", f"status:{status.value}"},
            )
        )
    return cases


def _attach_first_responses(session: Session, cases: list[Case]) -> None:
    keys = [(c.subject_type, c.subject_id) for c in cases if c.first_responded_at is None]
    first = {
        (t, i): at
        for batch in batches(keys)
        for t, i, at in session.execute(
            select(Event.subject_type, Event.subject_id, func.min(Event.created_at))
            .where(subjects_in(Event.subject_type, Event.subject_id, batch), RESPONDING)
            .group_by(Event.subject_type, Event.subject_id)
        )
    }
    for case in cases:
        if case.first_responded_at is None:
            _answered(case, first.get((case.subject_type, case.subject_id)))


def _answered(case: Case, first_event_at: datetime | None) -> None:
    # A decision is an answer, even one whose event is not on the timeline.
    case.first_responded_at = min(
        (at for at in (first_event_at, case.resolved_at) if at is not None), default=None
    )


def case_of_return(request: ReturnRequest, events: Sequence[Event], file: CaseFile | None) -> Case:
    """The case of a return read with what ``return_case`` needs, from its timeline
    (``events``) and its file, before triage."""
    case = return_case(request)
    _answered(case, min((e.created_at for e in events if responds(e)), default=None))
    case.file = file
    return case


def _attach_files(session: Session, cases: list[Case]) -> None:
    keys = [(c.subject_type, c.subject_id) for c in cases]
    by_key = {
        (f.subject_type, f.subject_id): f
        for batch in batches(keys)
        for f in session.scalars(
            select(CaseFile).where(subjects_in(CaseFile.subject_type, CaseFile.subject_id, batch))
        )
    }
    for case in cases:
        case.file = by_key.get((case.subject_type, case.subject_id))
