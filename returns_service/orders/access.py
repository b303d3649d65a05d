"""The order a caller acts on: a customer's own, or the one staff name by its number."""

from __future__ import annotations

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm.interfaces import ORMOption

from returns_service.auth.tokens import Principal
from returns_service.errors import InvalidInput, NotFound
from returns_service.extensions import db
from returns_service.orders.models import Order
from returns_service.orders.numbers import number_variants

#: Each locking statement built once per way of naming the order and loader options (the
#: callers' constants): building one costs more than running it from the statement cache.
_LOCKING: dict[tuple[bool, tuple[ORMOption, ...]], Select[tuple[Order]]] = {}


def _locking(by_number: bool, loading: tuple[ORMOption, ...]) -> Select[tuple[Order]]:
    query = _LOCKING.get((by_number, loading))
    if query is None:
        named = (
            Order.number.in_(bindparam("numbers", expanding=True))
            if by_number
            else Order.id == bindparam("order_id")
        )
        query = select(Order).where(named).options(*loading).with_for_update(of=Order)
        _LOCKING[(by_number, loading)] = query
    return query


def locked_order_for(principal: Principal, order_number: str | None, *loading: ORMOption) -> Order:
    """The order, locked for the change about to be made to it (or 404 naming the field).

    ``loading`` are loader options for what the use case reads of the order, so it comes
    in the same round trip (only the order's row is locked).
    """
    if principal.role is None:
        if order_number:
            raise InvalidInput("a customer's token names the order already", field="order_number")
        locked, values = _locking(False, loading), {"order_id": principal.order_id}
    else:
        if not order_number:
            raise InvalidInput("staff name the order with order_number", field="order_number")
        locked, values = _locking(True, loading), {"numbers": number_variants(order_number)}
    # Every row is read: a joined collection is complete only once all its rows are in.
    orders = db.session.execute(locked, values).unique().scalars().all()
    if not orders:
        raise NotFound("no such order", field="order_number")
    return orders[0]
