"""Finding a customer's order by its number and the e-mail address or phone number on it."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.orders.models import Order
from returns_service.orders.numbers import number_variants

#: The one answer for an unknown order and for a wrong contact, so neither can be probed.
NO_MATCH = "no order matches this order number and contact"


def _digits(phone: str | None) -> str:
    return re.sub(r"\D", "", phone or "")


def _matches(order: Order, email: str | None, phone: str | None) -> bool:
    customer = order.customer
    if customer is None:
        return False
    if email:
        return (customer.email or "").lower() == email.strip().lower()
    wanted = _digits(phone)
    return bool(wanted) and _digits(customer.phone) == wanted


def order_for_contact(
    session: Session, number: str, *, email: str | None, phone: str | None
) -> Order | None:
    """The order with this number whose customer has this e-mail (or phone); None if none."""
    candidates = session.scalars(select(Order).where(Order.number.in_(number_variants(number))))
    return next((order for order in candidates if _matches(order, email, phone)), None)
