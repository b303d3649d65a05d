"""A new order written with its lines in one statement (on PostgreSQL), returning their ids.

The order is inserted unless its external id is taken (by a parallel delivery of the same
new order): then nothing is written, and the caller updates the one that is there.

The objects the rest of the request uses are built from the values sent and the ids
returned, attached to the session as loaded (see ``plain_inserts``). An existing order is
still changed through the unit of work, as are a new order's parcels (seldom sent).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from returns_service.orders.models import Customer, Order, OrderLine
from returns_service.plain_inserts import insert_row_with_children_unless_taken


def insert_order(
    session: Session,
    external_id: str,
    customer: Customer,
    values: dict[str, Any],
    lines: list[dict[str, Any]],
) -> Order | None:
    """Insert an order with its lines; returned as loaded, with its customer, lines and
    (none yet) parcels, so that nothing asks the database for them again. None, with
    nothing written, where an order with this external id is there (or was inserted
    meanwhile by a transaction that committed)."""
    written = insert_row_with_children_unless_taken(
        session,
        Order,
        {"external_id": external_id, "customer_id": customer.id, **values},
        ("external_id",),
        OrderLine,
        "order_id",
        lines,
    )
    if written is None:
        return None
    order, inserted = written
    for line in inserted:
        set_committed_value(line, "order", order)
    set_committed_value(order, "customer", customer)
    set_committed_value(order, "lines", inserted)
    set_committed_value(order, "shipments", [])
    return order
