"""A new order written in two statements, the order and then its lines, each returning its rows.

The unit of work would send the same two inserts, after sorting and bookkeeping each object
it holds, which costs more than the inserts themselves. An existing order is still changed
through it, as are a new order's parcels (a document seldom brings any).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from returns_service.orders.models import Customer, Order, OrderLine


def insert_order(
    session: Session,
    external_id: str,
    customer: Customer,
    values: dict[str, Any],
    lines: list[dict[str, Any]],
) -> Order:
    """Insert an order with its lines; returned as loaded, with its customer, lines and
    (none yet) parcels, so that nothing asks the database for them again."""
    order = session.scalars(
        insert(Order).returning(Order),
        [{"external_id": external_id, "customer_id": customer.id, **values}],
    ).one()
    inserted = list(
        session.scalars(
            insert(OrderLine).returning(OrderLine, sort_by_parameter_order=True),
            [{"order_id": order.id, **line} for line in lines],
            # Lines with and without a product id in one statement, not a batch each.
            execution_options={"render_nulls": True},
        )
    )
    for line in inserted:
        set_committed_value(line, "order", order)
    set_committed_value(order, "customer", customer)
    set_committed_value(order, "lines", inserted)
    set_committed_value(order, "shipments", [])
    return order
