"""The work list's ``UNION ALL`` branches, one per kind of case, for a statement's shape.

Each branch selects its kind's cases in the filter's narrowing, with the columns the list
shows, whether the case is closed and its rank: the rank kept on the case
(``cases.ranks``), or high where a normal case has aged while the shop holds it. A list of
the open cases (no state chosen, no search, no assignee) reads each kind's page off its
index of open cases by rank: one part in the kept rank's order, and one of the normal cases
that have aged, each cut at the page's depth, so the page never ranks every open case.
"""

from __future__ import annotations

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
    null,
    or_,
    select,
    type_coerce,
)

from returns_service.cancellations.models import Cancellation, CancellationStatus
from returns_service.cases.case_states import (
    CANCELLATION_CLOSED,
    CANCELLATION_OPEN,
    CANCELLATION_UNDECIDED,
    RETURN_CLOSED,
    RETURN_OPEN,
    RETURN_UNDECIDED,
    SUBSCRIPTION_CLOSED,
    SUBSCRIPTION_OPEN,
)
from returns_service.cases.read_model import CaseKind
from returns_service.cases.work_filter import WorkShape
from returns_service.portable_sql import constant, one_of
from returns_service.returns.models import (
    Resolution,
    ReturnLine,
    ReturnRequest,
    ReturnStatus,
)
from returns_service.subscriptions.models import FlowStatus, SubscriptionCancellation

#: Parameters more than one branch sends the filter's values in.
_ORDER_IDS = bindparam("order_ids", expanding=True)
_REASON = bindparam("reason", type_=String)
#: How deep the page reaches: its offset and length, and one more row (written in by
#: ``work_statement`` for each page).
_DEPTH = bindparam("depth", type_=Integer)
#: A kind no state of which waits on the shop: nothing of it ages.
_NEVER = false()


def branches(shape: WorkShape) -> list[Select]:
    """The branches of the kinds that can list anything in this shape (maybe none)."""
    return [*_returns(shape), *_cancellations(shape), *_subscriptions(shape)]


def _rank(model: Any, undecided: ColumnElement[bool]) -> ColumnElement[int]:
    """0 urgent, 1 high (or a normal case aged while the shop holds it), 2 normal."""
    return case(
        (model.signal_rank <= constant(1), model.signal_rank),
        (_aged_normal(model, undecided), constant(1)),
        else_=constant(2),
    )


def _aged_normal(model: Any, undecided: ColumnElement[bool]) -> ColumnElement[bool]:
    """A case the mapping leaves normal that the shop has held past the aging cutoff."""
    return and_(
        undecided, model.signal_rank == constant(2), model.created_at <= bindparam("cutoff")
    )


def _by_index(shape: WorkShape) -> bool:
    """Whether the page is cut per kind off the index of open cases by rank."""
    return not (shape.status or shape.searching or shape.assignee)


def _parts(
    query: Select, model: Any, undecided: ColumnElement[bool], shape: WorkShape
) -> list[Select]:
    """The branch as it is read: whole, or its page's depth in each order the index gives
    (the kept rank's, and the aged normal cases' by arrival)."""
    if not _by_index(shape):
        return [query]
    aged = _aged_normal(model, undecided)
    ranked = query.where(~aged).order_by(model.signal_rank, model.created_at, model.id)
    parts = [ranked]
    if undecided is not _NEVER:
        parts.append(query.where(aged).order_by(model.created_at, model.id))
    return [_cut(part.limit(_DEPTH)) for part in parts]


def _cut(part: Select) -> Select:
    """A part cut at the page's depth, as a member of the union (SQLite takes no
    ``ORDER BY`` or ``LIMIT`` on one)."""
    cut = part.subquery()
    return select(*cut.c)


def _lists(enum: Any, shape: WorkShape) -> bool:
    """Whether the branch of this kind's states lists anything for the chosen state."""
    return not shape.status or shape.status in {s.value for s in enum}


def _returns(shape: WorkShape) -> list[Select]:
    wanted = (shape.kinds or set(CaseKind)) & {CaseKind.RETURN, CaseKind.EXCHANGE}
    if not wanted or not _lists(ReturnStatus, shape):
        return []
    r = ReturnRequest
    is_exchange = r.resolution == constant(Resolution.EXCHANGE.value)
    undecided = one_of(r.status, RETURN_UNDECIDED)
    query = select(
        constant("return").label("subject_type"),
        r.id.label("subject_id"),
        case(
            (is_exchange, constant(CaseKind.EXCHANGE.value)),
            else_=constant(CaseKind.RETURN.value),
        ).label("kind"),
        r.created_at.label("created_at"),
        r.order_id.label("order_id"),
        _rank(r, undecided).label("rank"),
        _closed(r.status, RETURN_CLOSED),
        *_shown(r, r.rma, r.decided_at, null(), r.line_reasons),
    )
    if wanted == {CaseKind.EXCHANGE}:
        query = query.where(is_exchange)
    elif wanted == {CaseKind.RETURN}:
        query = query.where(~is_exchange)
    query = _in_states(query, r.status, one_of(r.status, RETURN_OPEN), shape)
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
    return _parts(_dated(query, r.created_at, shape), r, undecided, shape)


def _cancellations(shape: WorkShape) -> list[Select]:
    c = Cancellation
    return _flat_branch(
        c,
        "cancellation",
        CaseKind.ORDER_CANCELLATION,
        shape,
        status_enum=CancellationStatus,
        undecided=one_of(c.status, CANCELLATION_UNDECIDED),
        closed=CANCELLATION_CLOSED,
        open_=one_of(c.status, CANCELLATION_OPEN),
        found=c.order_id.in_(_ORDER_IDS),
        shown=_shown(c, null(), c.settled_at, c.reason, null()),
    )


def _subscriptions(shape: WorkShape) -> list[Select]:
    s = SubscriptionCancellation
    return _flat_branch(
        s,
        "subscription",
        CaseKind.SUBSCRIPTION_CANCELLATION,
        shape,
        status_enum=FlowStatus,
        undecided=_NEVER,
        closed=(*SUBSCRIPTION_CLOSED, FlowStatus.SUPERSEDED),
        open_=one_of(s.status, SUBSCRIPTION_OPEN),
        found=or_(
            s.subscription_reference == bindparam("text", type_=String),
            s.order_id.in_(_ORDER_IDS),
        ),
        shown=_shown(s, s.subscription_reference, s.closed_at, s.reason, null()),
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
) -> list[Select]:
    """A branch for a kind whose status and reason sit on the case's own row."""
    if shape.kinds and kind not in shape.kinds or not _lists(status_enum, shape):
        return []
    query = select(
        constant(subject_type).label("subject_type"),
        model.id.label("subject_id"),
        constant(kind.value).label("kind"),
        model.created_at.label("created_at"),
        model.order_id.label("order_id"),
        _rank(model, undecided).label("rank"),
        _closed(model.status, closed),
        *shown,
    )
    query = _in_states(query, model.status, open_, shape)
    if shape.reason:
        query = query.where(model.reason == _REASON)
    if shape.searching:
        query = query.where(found)
    return _parts(_dated(query, model.created_at, shape), model, undecided, shape)


def _closed(status: Any, closed: Any) -> Any:
    """1 for a case no one works on any more, 0 for an open one: open cases list first."""
    return case((one_of(status, closed), constant(1)), else_=constant(0)).label("closed")


def _shown(
    model: Any, reference: Any, resolved_at: Any, reason: Any, line_reasons: Any
) -> tuple[Any, ...]:
    """What the list shows of a branch's rows: its state and reference (the order's number
    when None), when it was decided, the reason kept on the case's own row, a return's
    lines' reasons, and its kept rank (its priority before aging)."""
    return (
        type_coerce(model.status, String).label("status"),
        type_coerce(reference, String).label("reference"),
        resolved_at.label("resolved_at"),
        type_coerce(reason, String).label("reason"),
        type_coerce(line_reasons, String).label("line_reasons"),
        model.signal_rank.label("signal_rank"),
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
