"""How many units of each order line have been delivered, returned, and may still return."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import ColumnElement, ScalarSelect, String, bindparam, cast, func, select
from sqlalchemy.orm import Session

from returns_service.orders.models import Order, OrderLine, ShipmentStatus
from returns_service.portable_sql import constant, one_of
from returns_service.returns.models import LineOutcome, ReturnLine, ReturnRequest, ReturnStatus

#: Requests in these states no longer hold their units.
RELEASED_STATUSES = (ReturnStatus.REJECTED, ReturnStatus.CANCELLED, ReturnStatus.EXPIRED)


def delivered_quantities(order: Order) -> Counter[int]:
    """Units of each line in delivered shipments."""
    delivered: Counter[int] = Counter()
    for shipment in order.shipments:
        if shipment.status is ShipmentStatus.DELIVERED:
            for shipment_line in shipment.lines:
                delivered[shipment_line.order_line_id] += shipment_line.quantity
    return delivered


def delivered_at(order: Order, line: OrderLine) -> datetime | None:
    """When the first delivered shipment carrying this line arrived."""
    times = [
        shipment.delivered_at
        for shipment in order.shipments
        if shipment.status is ShipmentStatus.DELIVERED
        and shipment.delivered_at is not None
        and any(sl.order_line_id == line.id for sl in shipment.lines)
    ]
    return min(times) if times else None


def latest_shipment_status(order: Order, line: OrderLine) -> ShipmentStatus | None:
    """The status of the newest shipment carrying this line."""
    carrying = [s for s in order.shipments if any(sl.order_line_id == line.id for sl in s.lines)]
    return carrying[-1].status if carrying else None


def _holding(order_id: int | ColumnElement[int]) -> tuple[ColumnElement[bool], ...]:
    """The order's return lines still holding units (live requests, lines not rejected)."""
    return (
        ReturnRequest.order_id == order_id,
        ~one_of(ReturnRequest.status, RELEASED_STATUSES),
        (ReturnLine.outcome.is_(None)) | (ReturnLine.outcome != LineOutcome.REJECT),
    )


#: Built once: building a statement costs more than running it from the statement cache.
_RETURNED = (
    select(ReturnLine.order_line_id, func.sum(ReturnLine.quantity))
    .join(ReturnRequest, ReturnRequest.id == ReturnLine.return_id)
    .where(*_holding(bindparam("order_id")))
    .group_by(ReturnLine.order_line_id)
)


def returned_quantities(session: Session, order: Order) -> Counter[int]:
    """Units of each line held by return requests that are still alive (not rejected lines)."""
    rows = session.execute(_RETURNED, {"order_id": order.id})
    return Counter({line_id: int(total) for line_id, total in rows})


def returned_units_column(order_id: ColumnElement[int]) -> ScalarSelect[str | None]:
    """:func:`returned_quantities` as a column of a query on orders, so that an order and
    what its returns hold are read in one round trip: ``"line id:units,..."`` of the return
    lines holding units, None when there are none. Read it with :func:`count_units`.
    """
    pair = cast(ReturnLine.order_line_id, String) + ":" + cast(ReturnLine.quantity, String)
    return (
        select(func.aggregate_strings(pair, constant(",")))
        .join_from(ReturnLine, ReturnRequest)
        .where(*_holding(order_id))
        .scalar_subquery()
    )


def count_units(pairs: str | None) -> Counter[int]:
    """Units per line id from a :func:`returned_units_column` value."""
    units: Counter[int] = Counter()
    for pair in pairs.split(",") if pairs else ():
        line_id, quantity = pair.split(":")
        units[int(line_id)] += int(quantity)
    return units


def returnable_quantities(
    session: Session, order: Order, returned: Counter[int] | None = None
) -> dict[int, int]:
    """Delivered minus already in returns, per line id (``returned`` when it is read already)."""
    delivered = delivered_quantities(order)
    if returned is None:
        returned = returned_quantities(session, order)
    return {line.id: max(delivered[line.id] - returned[line.id], 0) for line in order.lines}
