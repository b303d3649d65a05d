"""What a search text or a scanned code names: orders and returns, each column looked up
through its own index (an ``OR`` across tables would read them whole)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select, union
from sqlalchemy.orm import Session

from returns_service.orders.models import Customer, Order, Shipment
from returns_service.orders.numbers import number_variants
from returns_service.returns.models import Exchange, ReturnRequest

#: The most orders or returns a search matches; a wider search should be narrowed.
SEARCH_LIMIT = 500


@dataclass(frozen=True)
class Found:
    """What a search text names, looked up first through each column's own index."""

    order_ids: list[int]
    return_ids: list[int]
    text: str


def search(session: Session, text: str) -> Found:
    """Orders by number, customer (e-mail, phone, name's start) or a shipment's tracking;
    returns by RMA or a parcel's or replacement's tracking number.

    Each arm is its own indexed query: an ``OR`` across tables would read them whole.
    """
    customers = select(Customer.id).where(
        or_(
            Customer.email.in_({text, text.lower()}),
            Customer.phone.in_({text, text.replace("-", "")}),
            Customer.name.like(f"{_escaped(text)}%", escape="\\"),
        )
    )
    orders = union(
        select(Order.id).where(Order.number.in_(number_variants(text))),
        select(Order.id).where(Order.customer_id.in_(customers)),
        select(Shipment.order_id).where(Shipment.tracking_number == text),
    )
    return Found(
        order_ids=list(session.scalars(orders.limit(SEARCH_LIMIT))),
        return_ids=list(session.scalars(_returns_named(text).limit(SEARCH_LIMIT))),
        text=text,
    )


def _returns_named(text: str) -> Any:
    """Returns by RMA, or by their parcel's or a replacement's tracking number."""
    return union(
        select(ReturnRequest.id).where(ReturnRequest.rma == text.upper()),
        select(ReturnRequest.id).where(ReturnRequest.tracking_number == text),
        select(Exchange.return_id).where(Exchange.tracking_number == text),
    )


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def rmas_for_code(session: Session, code: str) -> list[str]:
    """The returns a scanned code names: by RMA, the parcel's or a replacement's tracking."""
    text = code.strip()
    if not text:
        return []
    ids = list(session.scalars(_returns_named(text).limit(20)))
    if not ids:
        return []
    query = select(ReturnRequest.rma).where(ReturnRequest.id.in_(ids)).order_by(ReturnRequest.id)
    return list(session.scalars(query))
