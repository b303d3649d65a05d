"""Insert-or-update under the unique keys, safe when deliveries of a new order arrive together.

Shopify sends the same webhook (or ``orders/create`` and ``orders/updated``) for a new order
at the same moment; each request would otherwise insert the same order and customer and all
but one would fail on the unique constraint. A customer with the shop's id for them is
inserted with ``ON CONFLICT DO NOTHING`` and read back; so is the order itself
(``inserts.insert_order``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.orders.models import Customer
from returns_service.plain_inserts import insert_row_unless_taken, insert_rows


def customer_with_external_id(
    session: Session, external_id: str, values: dict[str, Any]
) -> tuple[Customer, bool]:
    """The customer with this external id, created with ``values`` if there is none, even
    at the same moment (then the one created first is returned as it is); and whether it
    was created here."""
    inserted = insert_row_unless_taken(
        session, Customer, {"external_id": external_id, **values}, ("external_id",)
    )
    if inserted is not None:
        return inserted, True
    found = session.scalars(select(Customer).where(Customer.external_id == external_id)).one()
    return found, False


def new_customer(session: Session, values: dict[str, Any]) -> Customer:
    """A customer without an external id, inserted with ``values`` and returned as loaded."""
    [customer] = insert_rows(session, Customer, [values])
    return customer
