"""The staff work list: every kind of case in one query, filtered, searched and paged.

One ``UNION ALL`` over returns, cancellations and subscription cancellations picks a page
of cases in the list's order (priority from the shop's mapping, then arrival) with the
columns the list shows; each listed case's reasons and first answer are looked up by the
same statement after the page is cut (a select-list subquery runs for the page's rows
only). A page costs one statement whatever its length or the shop's size. The statement
is built once per shape of filter and priority mapping, its values sent as parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    exists,
    false,
    func,
    literal,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session

from returns_service.cancellations.models import Cancellation, CancellationStatus
from returns_service.cases.models import CaseFile
from returns_service.cases.policy import CasePolicy, Priority
from returns_service.cases.read_model import (
    CANCELLATION_CLOSED,
    CANCELLATION_UNDECIDED,
    RESPONDING,
    RETURN_CLOSED,
    RETURN_UNDECIDED,
    CaseKind,
    Waiting,
    promises,
)
from returns_service.cases.search import Found, search
from returns_service.cases.tags import Tag, tag
from returns_service.events import Event
from returns_service.orders.models import Customer, Order, Shipment
from returns_service.returns.models import (
    Resolution,
    ReturnLine,
    ReturnRequest,
    ReturnStatus,
)
from returns_service.subscriptions.models import FlowStatus, SubscriptionCancellation

PAGE_SIZE = 50
#: Open states named one by one: ``IN`` reads the (status, created_at) index, ``NOT IN`` not.
RETURN_OPEN = tuple(s for s in ReturnStatus if s not in RETURN_CLOSED)
CANCELLATION_OPEN = tuple(s for s in CancellationStatus if s not in CANCELLATION_CLOSED)


@dataclass(frozen=True)
class WorkFilter:
    """What the list is narrowed to; empty fields narrow nothing."""

    kinds: frozenset[CaseKind] = frozenset()
    status: str = ""
    reason: str = ""
    #: Arrived at or after ``since`` and before ``until``.
    since: datetime | None = None
    until: datetime | None = None
    #: ``""`` anyone, ``"none"`` nobody, else a staff e-mail address.
    assignee: str = ""
    #: An RMA, order number, tracking number, customer name, e-mail or phone.
    query: str = ""


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
    reasons: list[str]
    assignee: str | None
    arrived_at: datetime
    customer_name: str
    customer_email: str
    tag: Tag

    @property
    def ref(self) -> str:
        """The case's id in the API: ``return-12``, ``cancellation-3``, ``subscription-5``."""
        return f"{self.subject_type}-{self.subject_id}"


@dataclass
class WorkPage:
    """A page of the list and whether another follows."""

    rows: list[WorkRow] = field(default_factory=list)
    offset: int = 0
    has_more: bool = False


def aging_cutoff(policy: CasePolicy, now: datetime) -> datetime:
    """The latest arrival that has aged by ``now``: aging is monotonic, so bisect it."""
    low, high = now - timedelta(days=7 * policy.aging_days + 60), now
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if policy.aged(middle, now):
            low = middle
        else:
            high = middle
    return low


@dataclass(frozen=True)
class _Shape:
    """What the page's statement is built from; the filter's values are its parameters, so
    one statement serves every page of the same shape and the shop's priority mapping."""

    kinds: frozenset[CaseKind]
    #: A state to list (one of some kind's), or "" for open cases.
    status: str
    reason: bool
    since: bool
    until: bool
    #: "", "none" (nobody's) or "someone" (the ``assignee`` parameter's).
    assignee: str
    searching: bool
    #: The mapping's entries: ``(("high", frozenset({"status:review"})), ...)``.
    priorities: tuple[tuple[str, frozenset[str]], ...]


#: Parameters more than one branch sends the filter's values in.
_ORDER_IDS = bindparam("order_ids", expanding=True)
_REASON = bindparam("reason", type_=String)


def _signals(shape: _Shape, priority: Priority, prefix: str) -> list[str]:
    entries = dict(shape.priorities).get(priority.value, frozenset())
    return sorted(e.split(":", 1)[1] for e in entries if e.startswith(f"{prefix}:"))


def _shipment_signal(order_id: Any, statuses: list[str]) -> ColumnElement[bool]:
    if not statuses:
        return false()
    return exists().where(Shipment.order_id == order_id, Shipment.status.in_(statuses))


def _rank(
    shape: _Shape,
    *,
    reason: Any,
    status: Any,
    order_id: Any,
    created_at: Any,
    undecided: ColumnElement[bool],
) -> ColumnElement[int]:
    """0 urgent, 1 high (or a normal case aged while the shop holds it), 2 normal."""
    ranks = []
    for number, priority in enumerate((Priority.URGENT, Priority.HIGH)):
        ranks.append(
            (
                or_(
                    reason(_signals(shape, priority, "reason")),
                    status.in_(_signals(shape, priority, "status")),
                    _shipment_signal(order_id, _signals(shape, priority, "shipment")),
                ),
                number,
            )
        )
    ranks.append((and_(undecided, created_at <= bindparam("cutoff")), 1))
    return case(*ranks, else_=2)


def _lists(enum: Any, shape: _Shape) -> bool:
    """Whether the branch of this kind's states lists anything for the chosen state."""
    return not shape.status or shape.status in {s.value for s in enum}


def _returns(shape: _Shape) -> Select | None:
    wanted = (shape.kinds or set(CaseKind)) & {CaseKind.RETURN, CaseKind.EXCHANGE}
    if not wanted or not _lists(ReturnStatus, shape):
        return None
    r = ReturnRequest
    is_exchange = r.resolution == Resolution.EXCHANGE

    def line_reason(reasons: list[str]) -> ColumnElement[bool]:
        if not reasons:
            return false()
        return exists().where(ReturnLine.return_id == r.id, ReturnLine.reason.in_(reasons))

    query = select(
        literal("return").label("subject_type"),
        r.id.label("subject_id"),
        case((is_exchange, CaseKind.EXCHANGE.value), else_=CaseKind.RETURN.value).label("kind"),
        r.created_at.label("created_at"),
        r.order_id.label("order_id"),
        _rank(
            shape,
            reason=line_reason,
            status=r.status,
            order_id=r.order_id,
            created_at=r.created_at,
            undecided=r.status.in_(RETURN_UNDECIDED),
        ).label("rank"),
        _closed(r.status, RETURN_CLOSED),
        *_shown(r.status, r.rma, r.decided_at, null()),
    )
    if wanted == {CaseKind.EXCHANGE}:
        query = query.where(is_exchange)
    elif wanted == {CaseKind.RETURN}:
        query = query.where(~is_exchange)
    query = _in_states(query, r.status, r.status.in_(RETURN_OPEN), shape)
    if shape.reason:
        query = query.where(
            exists().where(ReturnLine.return_id == r.id, ReturnLine.reason == _REASON)
        )
    if shape.searching:
        query = query.where(
            or_(
                r.id.in_(bindparam("return_ids", expanding=True)),
                r.order_id.in_(_ORDER_IDS),
            )
        )
    return _dated(query, r.created_at, shape)


def _cancellations(shape: _Shape) -> Select | None:
    c = Cancellation
    return _flat_branch(
        c,
        "cancellation",
        CaseKind.ORDER_CANCELLATION,
        shape,
        status_enum=CancellationStatus,
        undecided=c.status.in_(CANCELLATION_UNDECIDED),
        closed=CANCELLATION_CLOSED,
        open_=c.status.in_(CANCELLATION_OPEN),
        found=c.order_id.in_(_ORDER_IDS),
        shown=_shown(c.status, null(), c.settled_at, c.reason),
    )


def _subscriptions(shape: _Shape) -> Select | None:
    s = SubscriptionCancellation
    return _flat_branch(
        s,
        "subscription",
        CaseKind.SUBSCRIPTION_CANCELLATION,
        shape,
        status_enum=FlowStatus,
        undecided=false(),
        closed=(FlowStatus.SAVED, FlowStatus.CANCELLED, FlowStatus.SUPERSEDED),
        open_=s.status == FlowStatus.OFFERED,
        found=or_(
            s.subscription_reference == bindparam("text", type_=String),
            s.order_id.in_(_ORDER_IDS),
        ),
        shown=_shown(s.status, s.subscription_reference, s.closed_at, s.reason),
    )


def _flat_branch(
    model: Any,
    subject_type: str,
    kind: CaseKind,
    shape: _Shape,
    *,
    status_enum: Any,
    undecided: ColumnElement[bool],
    closed: Any,
    open_: Any,
    found: ColumnElement[bool],
    shown: tuple[Any, ...],
) -> Select | None:
    """A branch for a kind whose status and reason sit on the case's own row."""
    if shape.kinds and kind not in shape.kinds or not _lists(status_enum, shape):
        return None
    query = select(
        literal(subject_type).label("subject_type"),
        model.id.label("subject_id"),
        literal(kind.value).label("kind"),
        model.created_at.label("created_at"),
        model.order_id.label("order_id"),
        _rank(
            shape,
            reason=lambda reasons: model.reason.in_(reasons) if reasons else false(),
            status=model.status,
            order_id=model.order_id,
            created_at=model.created_at,
            undecided=undecided,
        ).label("rank"),
        _closed(model.status, closed),
        *shown,
    )
    query = _in_states(query, model.status, open_, shape)
    if shape.reason:
        query = query.where(model.reason == _REASON)
    if shape.searching:
        query = query.where(found)
    return _dated(query, model.created_at, shape)


def _closed(status: Any, closed: Any) -> Any:
    """1 for a case no one works on any more, 0 for an open one: open cases list first."""
    return case((status.in_(closed), 1), else_=0).label("closed")


def _shown(status: Any, reference: Any, resolved_at: Any, reason: Any) -> tuple[Any, ...]:
    """What the list shows of a branch's rows: its state and reference (the order's number
    when None), when it was decided, and the reason kept on the case's own row."""
    return (
        type_coerce(status, String).label("status"),
        type_coerce(reference, String).label("reference"),
        resolved_at.label("resolved_at"),
        type_coerce(reason, String).label("reason"),
    )


def _in_states(query: Select, status: Any, open_: Any, shape: _Shape) -> Select:
    """The chosen state; else open cases, or every state when searching (history too)."""
    if shape.status:
        return query.where(status == bindparam("status", type_=String))
    return query if shape.searching else query.where(open_)


def _dated(query: Select, column: Any, shape: _Shape) -> Select:
    if shape.since:
        query = query.where(column >= bindparam("since"))
    if shape.until:
        query = query.where(column < bindparam("until"))
    return query


#: States no one works on any more: a list of those shows the newest first.
CLOSED_STATUSES = frozenset(
    s.value for s in (*RETURN_CLOSED, *CANCELLATION_CLOSED, FlowStatus.SAVED, FlowStatus.CANCELLED)
) | {FlowStatus.SUPERSEDED.value}


def _order(shape: _Shape, cases: Any) -> tuple[Any, ...]:
    """Open before closed, most pressing first, then oldest; a closed state newest first."""
    if shape.status in CLOSED_STATUSES:
        return (cases.c.created_at.desc(), cases.c.subject_type, cases.c.subject_id.desc())
    return (
        cases.c.closed,
        cases.c.rank,
        cases.c.created_at,
        cases.c.subject_type,
        cases.c.subject_id,
    )


@lru_cache(maxsize=64)
def _statement(shape: _Shape) -> Select | None:
    """The page's statement for a shape; None when no kind can match the chosen state."""
    branches = [
        branch
        for branch in (_returns(shape), _cancellations(shape), _subscriptions(shape))
        if branch is not None
    ]
    if not branches:
        return None
    cases = union_all(*branches).subquery("cases")
    query = (
        select(
            *(cases.c[name] for name in _SHOWN),
            Order.number.label("order_number"),
            Customer.name.label("customer_name"),
            Customer.email.label("customer_email"),
            CaseFile.assignee,
            _line_reasons(cases),
            _shipment_statuses(cases),
            _first_answer(cases),
        )
        .join(Order, Order.id == cases.c.order_id)
        .outerjoin(Customer, Customer.id == Order.customer_id)
        .outerjoin(
            CaseFile,
            and_(
                CaseFile.subject_type == cases.c.subject_type,
                CaseFile.subject_id == cases.c.subject_id,
            ),
        )
        .order_by(*_order(shape, cases))
        .offset(bindparam("offset", type_=Integer))
        .limit(bindparam("limit", type_=Integer))
    )
    if shape.assignee == "none":
        query = query.where(CaseFile.assignee.is_(None))
    elif shape.assignee:
        query = query.where(CaseFile.assignee == bindparam("assignee"))
    return query


#: Every state of every kind: a chosen state outside these lists nothing.
_STATUSES = frozenset(
    s.value for enum in (ReturnStatus, CancellationStatus, FlowStatus) for s in enum
)


def work_page(
    session: Session,
    flt: WorkFilter,
    policy: CasePolicy,
    now: datetime,
    *,
    offset: int = 0,
    limit: int = PAGE_SIZE,
) -> WorkPage:
    """One page of the work list: most pressing first, then oldest."""
    if flt.status and flt.status not in _STATUSES:
        return WorkPage(offset=offset)
    shape = _Shape(
        kinds=flt.kinds,
        status=flt.status,
        reason=bool(flt.reason),
        since=flt.since is not None,
        until=flt.until is not None,
        assignee="someone" if flt.assignee not in ("", "none") else flt.assignee,
        searching=bool(flt.query),
        priorities=tuple(sorted(policy.priorities.items())),
    )
    statement = _statement(shape)
    if statement is None:
        return WorkPage(offset=offset)
    found = search(session, flt.query) if flt.query else Found([], [], "")
    params = {
        "cutoff": aging_cutoff(policy, now),
        "status": flt.status,
        "reason": flt.reason,
        "since": flt.since,
        "until": flt.until,
        "assignee": flt.assignee,
        "order_ids": found.order_ids,
        "return_ids": found.return_ids,
        "text": found.text,
        "offset": offset,
        "limit": limit + 1,
    }
    found_rows = session.execute(statement, params).all()
    rows = [_row(listed, policy, now) for listed in found_rows[:limit]]
    return WorkPage(rows=rows, offset=offset, has_more=len(found_rows) > limit)


#: The union's columns the rows show. Not the rank: a list sorted by arrival reads its page
#: alone, and selecting the rank would have it worked out for every case of the state.
_SHOWN = (
    "subject_type",
    "subject_id",
    "kind",
    "created_at",
    "status",
    "reference",
    "resolved_at",
    "reason",
)


def _shipment_statuses(cases: Any) -> Any:
    """The states of the order's parcels, a priority signal of returns and cancellations."""
    statuses = (
        select(func.array_agg(type_coerce(Shipment.status, String)))
        .where(Shipment.order_id == cases.c.order_id)
        .scalar_subquery()
    )
    return case((cases.c.subject_type != "subscription", statuses)).label("shipments")


def _line_reasons(cases: Any) -> Any:
    """A return's reasons, from its lines."""
    reasons = (
        select(func.array_agg(ReturnLine.reason.distinct()))
        .where(ReturnLine.return_id == cases.c.subject_id)
        .scalar_subquery()
    )
    return case((cases.c.subject_type == "return", reasons)).label("line_reasons")


def _first_answer(cases: Any) -> Any:
    """When a person (or the rules deciding) first answered the case."""
    first_event = (
        select(func.min(Event.created_at))
        .where(
            Event.subject_type == cases.c.subject_type,
            Event.subject_id == cases.c.subject_id,
            RESPONDING,
        )
        .scalar_subquery()
    )
    # A subscription's offers answer at once; a decision is an answer even without its
    # event on the timeline (``LEAST`` skips a NULL).
    return case(
        (cases.c.subject_type == "subscription", cases.c.created_at),
        else_=func.least(first_event, cases.c.resolved_at),
    ).label("first_answer")


def _waiting_on(subject_type: str, status: str) -> Waiting:
    if subject_type == "return":
        if status in RETURN_UNDECIDED:
            return Waiting.SHOP
        return Waiting.CLOSED if status in RETURN_CLOSED else Waiting.CUSTOMER
    if subject_type == "cancellation":
        return Waiting.SHOP if status in CANCELLATION_UNDECIDED else Waiting.CLOSED
    # The offers are shown at once; what follows is the customer's choice.
    return Waiting.CUSTOMER if status == FlowStatus.OFFERED else Waiting.CLOSED


def _row(found: Any, policy: CasePolicy, now: datetime) -> WorkRow:
    """A listed case with its tag: its priority as ``triage`` gives it, due time, lateness."""
    waiting_on = _waiting_on(found.subject_type, found.status)
    kept = promises(
        policy,
        now,
        arrived_at=found.created_at,
        waiting_on=waiting_on,
        first_responded_at=found.first_answer,
        resolved_at=found.resolved_at,
    )
    if found.subject_type == "return":
        reasons = sorted(found.line_reasons or [])
    else:
        reasons = [found.reason] if found.reason else []
    signals = {f"reason:{r}" for r in reasons} | {f"status:{found.status}"}
    signals |= {f"shipment:{s}" for s in found.shipments or ()}
    priority = policy.base_priority(signals)
    # A normal case the shop has held too long counts as high.
    if priority is Priority.NORMAL and waiting_on is Waiting.SHOP:
        if policy.aged(found.created_at, now):
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
