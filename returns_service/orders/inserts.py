"""A new order written in two statements, the order and then its lines, each returning its ids.

The unit of work would send the same inserts after sorting and bookkeeping each object it
holds, and the ORM's bulk insert loads the returned rows through its query machinery; both
cost more than the inserts themselves. Here the rows go in as plain inserts, and the objects
the rest of the request uses are built from the values sent and the ids returned, then
attached to the session as loaded (:func:`make_transient_to_detached`). An existing order is
still changed through the unit of work, as are a new order's parcels (seldom sent).
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import insert
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from returns_service.models import Base
from returns_service.orders.models import Customer, Order, OrderLine

_Row = TypeVar("_Row", bound=Base)


def insert_rows(session: Session, model: type[_Row], rows: list[dict[str, Any]]) -> list[_Row]:
    """Insert ``rows`` of ``model``'s table in one statement; the objects, as loaded.

    Every column is either in the rows or returned (its id and defaults), so the objects
    have nothing left to load.
    """
    table = model.__table__
    sent = set(rows[0])
    returned = [column for column in table.columns if column.key not in sent]
    statement = insert(table).returning(*returned, sort_by_parameter_order=True)
    # Rows with and without a value of a column are one statement, not a batch each.
    results = session.execute(statement, rows, execution_options={"render_nulls": True})
    objects = []
    for values, result in zip(rows, results, strict=True):
        instance = model(**values, **result._asdict())
        make_transient_to_detached(instance)
        session.add(instance)
        objects.append(instance)
    return objects


def insert_order(
    session: Session,
    external_id: str,
    customer: Customer,
    values: dict[str, Any],
    lines: list[dict[str, Any]],
) -> Order:
    """Insert an order with its lines; returned as loaded, with its customer, lines and
    (none yet) parcels, so that nothing asks the database for them again."""
    [order] = insert_rows(
        session, Order, [{"external_id": external_id, "customer_id": customer.id, **values}]
    )
    inserted = insert_rows(session, OrderLine, [{"order_id": order.id, **line} for line in lines])
    for line in inserted:
        set_committed_value(line, "order", order)
    set_committed_value(order, "customer", customer)
    set_committed_value(order, "lines", inserted)
    set_committed_value(order, "shipments", [])
    return order
