"""An order's parcels read with other values, in the one statement a use case sends after
taking the order's lock.

The parcels are not joined to the locking statement: that one reads what its snapshot held
before the lock was waited for, so a parcel committed meanwhile would be missed. Filing
and cancelling read them in their next statement (a snapshot taken under the lock) with
what else they need there: what the order's returns or cancellations hold, the customer's
history, the rules in force. One row per parcel (and parcel line), each carrying the
values; an order with no parcel still gives one row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, literal, select
from sqlalchemy.orm import Session, contains_eager
from sqlalchemy.orm.attributes import set_committed_value

from returns_service.orders.models import Order, Shipment, ShipmentLine

#: One row to join the parcels to, so that the values come even with no parcel.
_ONE = select(literal(1).label("one")).subquery("one")


def with_parcels(columns: Sequence[ColumnElement[Any]], *, parcel_lines: bool) -> Select[Any]:
    """``columns`` and the parcels of the order bound as ``order_id`` (with what each
    carries, when ``parcel_lines``); read it with :func:`read_with_parcels`."""
    query = (
        select(*columns, Shipment)
        .select_from(_ONE)
        .outerjoin(Shipment, Shipment.order_id == bindparam("order_id"))
        .order_by(Shipment.id)
    )
    if parcel_lines:
        query = (
            query.outerjoin(Shipment.lines)
            .options(contains_eager(Shipment.lines))
            .order_by(ShipmentLine.id)
        )
    return query


def read_with_parcels(
    session: Session, order: Order, query: Select[Any], values: dict[str, Any]
) -> tuple[Any, ...]:
    """Run a :func:`with_parcels` query: the order's parcels are set on it as loaded, and
    the values of the other columns are returned."""
    rows = session.execute(query, values | {"order_id": order.id}).unique().all()
    parcels = [row[-1] for row in rows if row[-1] is not None]
    set_committed_value(order, "shipments", parcels)
    return tuple(rows[0][:-1])
