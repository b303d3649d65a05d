"""The facts the rules see for one return line, computed from the order and the request."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, Table, bindparam, func, select
from sqlalchemy.orm import Session

from returns_service.drawn_keys import drawn_key, drawn_keys
from returns_service.orders.models import Order, OrderLine
from returns_service.refunds.operations import (
    IN_FLIGHT_COLUMN,
    REFUND_KEY_COLUMN,
    keep_refund_key,
    note_in_flight,
    share_of_line,
)
from returns_service.returns.in_force import IN_FORCE_COLUMNS, InForce, rules_in_force
from returns_service.returns.models import ReturnLine, ReturnRequest
from returns_service.returns.quantities import (
    count_units,
    delivered_at,
    latest_shipment_status,
    returned_units_column,
)
from returns_service.returns.with_parcels import read_with_parcels, with_parcels
from rules.facts import Scope


@dataclass(frozen=True, slots=True)
class CustomerHistory:
    """A customer's orders and returns over the last year."""

    orders: int
    returns_365d: int

    @property
    def return_rate(self) -> float:
        """Returns per order over the year (0 with no orders)."""
        return self.returns_365d / self.orders if self.orders else 0.0


_REQUESTS: Table = ReturnRequest.__table__  # type: ignore[assignment]
_LINES: Table = ReturnLine.__table__  # type: ignore[assignment]

_ORDERS = (
    select(func.count())
    .select_from(Order)
    .where(Order.customer_id == bindparam("customer_id"))
    .scalar_subquery()
)
_RETURNS_SINCE = (
    select(func.count())
    .select_from(ReturnRequest)
    .join(Order, ReturnRequest.order_id == Order.id)
    .where(
        Order.customer_id == bindparam("customer_id"),
        ReturnRequest.created_at >= bindparam("since"),
    )
    .scalar_subquery()
)
#: A customer's orders and returns of the year, as two columns (``customer_id`` and
#: ``since`` are bound), read with :func:`history_of`.
HISTORY_COLUMNS = (_ORDERS, _RETURNS_SINCE)
#: Built once: building a statement costs more than running it from the statement cache.
_HISTORY = select(*HISTORY_COLUMNS)
#: The history, the units the order's returns hold, the rules in force, the order's
#: refunds on their way (for a refund at once) and its parcels with their lines: filing
#: reads them after taking the order's lock, in one round trip.
_PAST_COLUMNS = [
    *HISTORY_COLUMNS,
    returned_units_column(bindparam("order_id")),
    *IN_FORCE_COLUMNS[Scope.RETURN],
    IN_FLIGHT_COLUMN,
]
_PAST = with_parcels(_PAST_COLUMNS, parcel_lines=True)
#: On PostgreSQL also the keys of the request and of its ``line_count`` lines, so that they
#: go in with the flush's other writes, and a spare for a refund made at once (see
#: :mod:`~returns_service.drawn_keys`).
_PAST_WITH_KEYS = with_parcels(
    [
        *_PAST_COLUMNS,
        drawn_key(_REQUESTS),
        drawn_keys(_LINES, bindparam("line_count", type_=Integer)),
        REFUND_KEY_COLUMN,
    ],
    parcel_lines=True,
)


def history_of(orders: int | None, returns: int | None) -> CustomerHistory:
    """The history from the values of :data:`HISTORY_COLUMNS`."""
    return CustomerHistory(orders=int(orders or 0), returns_365d=int(returns or 0))


def customer_history(session: Session, customer_id: int | None, now: datetime) -> CustomerHistory:
    """Count a customer's orders and the return requests they filed in the last 365 days."""
    if customer_id is None:
        return CustomerHistory(orders=0, returns_365d=0)
    since = now - timedelta(days=365)
    orders, returns = session.execute(_HISTORY, {"customer_id": customer_id, "since": since}).one()
    return history_of(orders, returns)


@dataclass(frozen=True, slots=True)
class OrderPast:
    """What filing reads once it holds the order's lock."""

    #: Units of each line the order's live returns hold (see
    #: :func:`~returns_service.returns.quantities.returned_quantities`).
    returned: Counter[int]
    #: The customer's (none without a customer).
    history: CustomerHistory
    rules: InForce
    #: The new request's key and its lines', drawn (PostgreSQL's; None elsewhere).
    keys: tuple[int, list[int]] | None


def order_past(session: Session, order: Order, now: datetime, new_lines: int) -> OrderPast:
    """What the order's returns hold, its customer's history and the return rules in
    force, in one statement that also loads the order's parcels (see
    :mod:`~returns_service.returns.with_parcels`), reads its refunds on their way and, on
    PostgreSQL, draws the keys of the request, of its ``new_lines`` lines and of a refund
    it may make at once."""
    values = {"customer_id": order.customer_id, "since": now - timedelta(days=365)}
    keys = None
    if session.get_bind().dialect.name == "postgresql":
        values["line_count"] = new_lines
        *past, request_key, line_keys, refund_key = read_with_parcels(
            session, order, _PAST_WITH_KEYS, values
        )
        keys = (request_key, sorted(line_keys))
        keep_refund_key(session, refund_key)
    else:
        past = read_with_parcels(session, order, _PAST, values)
    orders, returns, held, version_id, published_at, in_flight = past
    note_in_flight(session, order, in_flight)
    return OrderPast(
        returned=count_units(held),
        history=history_of(orders, returns),
        rules=rules_in_force(session, now, Scope.RETURN, version_id, published_at),
        keys=keys,
    )


def line_facts(
    order: Order,
    line: OrderLine,
    return_line: ReturnLine,
    resolution: str,
    history: CustomerHistory,
    now: datetime,
    timezone: str,
) -> dict[str, Any]:
    """Every fact of the registry for one line of a return request."""
    zone = ZoneInfo(timezone)
    delivered = delivered_at(order, line)
    status = latest_shipment_status(order, line)
    unit_total = share_of_line(line.total, line.quantity, return_line.quantity)
    return {
        "reason": return_line.reason,
        "resolution": resolution,
        "days_since_order": (
            now.astimezone(zone).date() - order.placed_at.astimezone(zone).date()
        ).days,
        "days_since_delivery": (
            (now.astimezone(zone).date() - delivered.astimezone(zone).date()).days
            if delivered
            else None
        ),
        "delivered_on": delivered.astimezone(zone).date().isoformat() if delivered else None,
        "shipment_status": status.value if status else None,
        "unit_price": line.unit_price,
        "line_total": unit_total,
        "order_total": order.total_amount,
        "currency": order.currency,
        "sku": line.sku,
        "product_type": line.product_type,
        "product_tags": list(line.tags),
        "quantity": return_line.quantity,
        "is_final_sale": line.is_final_sale,
        "customer_returns_365d": history.returns_365d,
        "customer_return_rate_365d": round(history.return_rate, 4),
        "customer_orders": history.orders,
        "payment_method": order.payment_method or order.payment_provider,
        "shipping_country": order.shipping_country,
        "has_photos": bool(return_line.photos),
        "is_subscription": order.is_subscription,
    }
