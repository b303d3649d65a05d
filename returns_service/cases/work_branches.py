"""The work list's ``UNION ALL`` branches, one per kind of case, for a statement's shape.

Each branch selects its kind's cases in the filter's narrowing, with the columns the list
shows, whether the case is closed and its rank (the shop's priority mapping worked out in
SQL, so the page can be cut in the list's order).
"""

from __future__ import annotations

from collections.abc import Iterable
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
    literal_column,
    null,
    or_,
    select,
    type_coerce,
)

from returns_service.cancellations.models import Cancellation, CancellationStatus
from returns_service.cases.policy import Priority
from returns_service.cases.read_model import (
    CANCELLATION_CLOSED,
    CANCELLATION_UNDECIDED,
    RETURN_CLOSED,
    RETURN_UNDECIDED,
    CaseKind,
)
from returns_service.cases.work_filter import WorkShape
from returns_service.orders.models import Shipment
from returns_service.returns.models import (
    Resolution,
    ReturnLine,
    ReturnRequest,
    ReturnStatus,
)
from returns_service.subscriptions.models import FlowStatus, SubscriptionCancellation

#: Open states named one by one: ``IN`` reads the (status, created_at) index, ``NOT IN`` not.
RETURN_OPEN = tuple(s for s in ReturnStatus if s not in RETURN_CLOSED)
CANCELLATION_OPEN = tuple(s for s in CancellationStatus if s not in CANCELLATION_CLOSED)

#: Parameters more than one branch sends the filter's values in.
_ORDER_IDS = bindparam("order_ids", expanding=True)
_REASON = bindparam("reason", type_=String)


def constant(value: str | int) -> ColumnElement[Any]:
    """``value`` written into the statement as a literal (quotes doubled; a backslash is
    refused), not sent as a parameter: with the states, signals and kinds in its text,
    PostgreSQL plans the work list once for every page (a generic plan) where it planned it
    afresh at each execution, as a plan for unknown states could not tell which index reads
    the open cases. The values are the models' codes and the shop's priority mapping, whose
    codes the settings hold to letters, digits and ``_``."""
    if isinstance(value, int):
        return literal_column(str(int(value)), Integer)
    if "\\" in str(value):
        # What a backslash means in a literal depends on a server setting: never written in.
        raise ValueError(f"a constant may not hold a backslash: {value!r}")
    return literal_column("'" + str(value).replace("'", "''") + "'", String)


#: What the kept reasons and the parcels' states are joined with, written into the statement.
COMMA = constant(",")


def _escaped(code: str) -> str:
    """``code`` for a ``LIKE`` pattern escaped with ``!``: its ``_`` matches only itself."""
    return code.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def _one_of(column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """``column IN (...)`` of values this module names, written into the statement."""
    values = list(values)
    if not values:
        return false()
    return column.in_([constant(getattr(value, "value", value)) for value in values])


def branches(shape: WorkShape) -> list[Select]:
    """The branches of the kinds that can list anything in this shape (maybe none)."""
    return [
        branch
        for branch in (_returns(shape), _cancellations(shape), _subscriptions(shape))
        if branch is not None
    ]


def _signals(shape: WorkShape, priority: Priority, prefix: str) -> list[str]:
    entries = dict(shape.priorities).get(priority.value, frozenset())
    return sorted(e.split(":", 1)[1] for e in entries if e.startswith(f"{prefix}:"))


def _shipment_signal(order_id: Any, statuses: list[str]) -> ColumnElement[bool]:
    if not statuses:
        return false()
    return exists().where(Shipment.order_id == order_id, _one_of(Shipment.status, statuses))


def _rank(
    shape: WorkShape,
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
                    _one_of(status, _signals(shape, priority, "status")),
                    _shipment_signal(order_id, _signals(shape, priority, "shipment")),
                ),
                constant(number),
            )
        )
    ranks.append((and_(undecided, created_at <= bindparam("cutoff")), constant(1)))
    return case(*ranks, else_=constant(2))


def _lists(enum: Any, shape: WorkShape) -> bool:
    """Whether the branch of this kind's states lists anything for the chosen state."""
    return not shape.status or shape.status in {s.value for s in enum}


def _returns(shape: WorkShape) -> Select | None:
    wanted = (shape.kinds or set(CaseKind)) & {CaseKind.RETURN, CaseKind.EXCHANGE}
    if not wanted or not _lists(ReturnStatus, shape):
        return None
    r = ReturnRequest
    is_exchange = r.resolution == constant(Resolution.EXCHANGE.value)

    # The reasons kept on the request's row, between commas: ",DEFECTIVE,SIZE_TOO_SMALL,".
    between_commas = COMMA + r.line_reasons + COMMA

    def line_reason(reasons: list[str]) -> ColumnElement[bool]:
        if not reasons:
            return false()
        return or_(
            *(
                between_commas.like(constant(f"%,{_escaped(reason)},%"), escape="!")
                for reason in reasons
            )
        )

    query = select(
        constant("return").label("subject_type"),
        r.id.label("subject_id"),
        case(
            (is_exchange, constant(CaseKind.EXCHANGE.value)),
            else_=constant(CaseKind.RETURN.value),
        ).label("kind"),
        r.created_at.label("created_at"),
        r.order_id.label("order_id"),
        _rank(
            shape,
            reason=line_reason,
            status=r.status,
            order_id=r.order_id,
            created_at=r.created_at,
            undecided=_one_of(r.status, RETURN_UNDECIDED),
        ).label("rank"),
        _closed(r.status, RETURN_CLOSED),
        *_shown(r.status, r.rma, r.decided_at, null(), r.line_reasons),
    )
    if wanted == {CaseKind.EXCHANGE}:
        query = query.where(is_exchange)
    elif wanted == {CaseKind.RETURN}:
        query = query.where(~is_exchange)
    query = _in_states(query, r.status, _one_of(r.status, RETURN_OPEN), shape)
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


def _cancellations(shape: WorkShape) -> Select | None:
    c = Cancellation
    return _flat_branch(
        c,
        "cancellation",
        CaseKind.ORDER_CANCELLATION,
        shape,
        status_enum=CancellationStatus,
        undecided=_one_of(c.status, CANCELLATION_UNDECIDED),
        closed=CANCELLATION_CLOSED,
        open_=_one_of(c.status, CANCELLATION_OPEN),
        found=c.order_id.in_(_ORDER_IDS),
        shown=_shown(c.status, null(), c.settled_at, c.reason, null()),
    )


def _subscriptions(shape: WorkShape) -> Select | None:
    s = SubscriptionCancellation
    return _flat_branch(
        s,
        "subscription",
        CaseKind.SUBSCRIPTION_CANCELLATION,
        shape,
        status_enum=FlowStatus,
        undecided=false(),
        closed=(FlowStatus.SAVED, FlowStatus.CANCELLED, FlowStatus.SUPERSEDED),
        open_=s.status == constant(FlowStatus.OFFERED.value),
        found=or_(
            s.subscription_reference == bindparam("text", type_=String),
            s.order_id.in_(_ORDER_IDS),
        ),
        shown=_shown(s.status, s.subscription_reference, s.closed_at, s.reason, null()),
    )


def _flat_branch(
    model: Any,
    subject_type: str,
    kind: CaseKind,
    shape: WorkShape,
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
        constant(subject_type).label("subject_type"),
        model.id.label("subject_id"),
        constant(kind.value).label("kind"),
        model.created_at.label("created_at"),
        model.order_id.label("order_id"),
        _rank(
            shape,
            reason=lambda reasons: _one_of(model.reason, reasons),
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
    return case((_one_of(status, closed), constant(1)), else_=constant(0)).label("closed")


def _shown(
    status: Any, reference: Any, resolved_at: Any, reason: Any, line_reasons: Any
) -> tuple[Any, ...]:
    """What the list shows of a branch's rows: its state and reference (the order's number
    when None), when it was decided, the reason kept on the case's own row and a return's
    lines' reasons."""
    return (
        type_coerce(status, String).label("status"),
        type_coerce(reference, String).label("reference"),
        resolved_at.label("resolved_at"),
        type_coerce(reason, String).label("reason"),
        type_coerce(line_reasons, String).label("line_reasons"),
    )


def _in_states(query: Select, status: Any, open_: Any, shape: WorkShape) -> Select:
    """The chosen state; else open cases, or every state when searching (history too)."""
    if shape.status:
        return query.where(status == bindparam("status", type_=String))
    return query if shape.searching else query.where(open_)


def _dated(query: Select, column: Any, shape: WorkShape) -> Select:
    if shape.since:
        query = query.where(column >= bindparam("since"))
    if shape.until:
        query = query.where(column < bindparam("until"))
    return query
