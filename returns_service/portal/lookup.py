"""Finding a customer's order by its number and the e-mail address or phone number on it."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.orders.models import Order
from returns_service.orders.numbers import normalise_order_number, number_variants

#: The one answer for an unknown order and for a wrong contact, so neither can be probed.
NO_MATCH = "no order matches this order number and contact"


def order_limit_key(number: str) -> str:
    """The rate limiter's key for attempts on one order number: a hash, bounded in size."""
    digest = hashlib.sha256(normalise_order_number(number).encode()).hexdigest()
    return "portal-order:" + digest[:32]


def normalise_contact(text: str | None) -> str:
    """A contact as typed, folded: full-width letters, digits and ``＠`` (NFKC), trimmed."""
    return unicodedata.normalize("NFKC", text or "").strip()


def normalise_email(email: str | None) -> str:
    """An e-mail address as compared: folded, without spaces, lower case; empty for none."""
    return re.sub(r"\s+", "", normalise_contact(email)).lower()


def normalise_phone(phone: str | None) -> str:
    """A phone number as compared: its digits only; empty for none."""
    return re.sub(r"\D", "", normalise_contact(phone))


def _matches(order: Order, email: str | None, phone: str | None) -> bool:
    customer = order.customer
    if customer is None:
        return False
    # Both sides normalised first, and an empty side never matches: a blank contact must
    # not open an order whose customer has no e-mail (or no phone) on file.
    wanted_email = normalise_email(email)
    if wanted_email:
        return wanted_email == normalise_email(customer.email)
    wanted_phone = normalise_phone(phone)
    return bool(wanted_phone) and wanted_phone == normalise_phone(customer.phone)


def order_for_contact(
    session: Session, number: str, *, email: str | None, phone: str | None
) -> Order | None:
    """The order with this number whose customer has this e-mail (or phone); None if none."""
    candidates = session.scalars(select(Order).where(Order.number.in_(number_variants(number))))
    return next((order for order in candidates if _matches(order, email, phone)), None)
