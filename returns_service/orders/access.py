"""The order a caller acts on: a customer's own, or the one staff name by its number."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm.interfaces import ORMOption

from returns_service.auth.tokens import Principal
from returns_service.errors import InvalidInput, NotFound
from returns_service.extensions import db
from returns_service.orders.models import Order
from returns_service.orders.numbers import number_variants


def locked_order_for(principal: Principal, order_number: str | None, *loading: ORMOption) -> Order:
    """The order, locked for the change about to be made to it (or 404 naming the field).

    ``loading`` are loader options for what the use case reads of the order, so it comes
    in the same round trip (only the order's row is locked).
    """
    if principal.role is None:
        if order_number:
            raise InvalidInput("a customer's token names the order already", field="order_number")
        query = select(Order).where(Order.id == principal.order_id)
    else:
        if not order_number:
            raise InvalidInput("staff name the order with order_number", field="order_number")
        query = select(Order).where(Order.number.in_(number_variants(order_number)))
    locked = query.options(*loading).with_for_update(of=Order)
    # Every row is read: a joined collection is complete only once all its rows are in.
    orders = db.session.execute(locked).unique().scalars().all()
    if not orders:
        raise NotFound("no such order", field="order_number")
    return orders[0]
