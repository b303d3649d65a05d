"""Insert-or-update under the unique keys, safe when deliveries of a new order arrive together.

Shopify sends the same webhook (or ``orders/create`` and ``orders/updated``) for a new order
at the same moment; each request would otherwise insert the same order and customer and all
but one would fail on the unique constraint. Writers of one order take turns on a lock named
after its external id; a new customer is inserted with ``ON CONFLICT DO NOTHING`` and read back.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import BigInteger, bindparam, func, select
from sqlalchemy.orm import Session

from returns_service.orders.models import Customer
from returns_service.plain_inserts import insert_rows
from returns_service.portable_sql import insert_skipping_duplicates

#: Built once, as it is the same statement every time.
_ADVISORY_LOCK = select(func.pg_advisory_xact_lock(bindparam("key", type_=BigInteger)))


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def lock_order_key(session: Session, external_id: str) -> None:
    """Wait for other writers of this order (by external id) until the transaction ends.

    Held whether or not the order exists yet, so that the first delivery creates it and the
    ones waiting find and update it. SQLite has one writer at a time and needs no lock.
    """
    if _is_postgresql(session):
        digest = hashlib.sha256(f"order\n{external_id}".encode()).digest()
        key = int.from_bytes(digest[:8], "big", signed=True)
        session.connection().execute(_ADVISORY_LOCK, {"key": key})


def customer_with_external_id(
    session: Session, external_id: str, values: dict[str, Any]
) -> Customer:
    """The customer with this external id, created with ``values`` if there is none, even
    at the same moment (then the one created first is returned as it is)."""
    inserted = session.scalar(
        insert_skipping_duplicates(session, Customer, ["external_id"])
        .values(external_id=external_id, **values)
        .returning(Customer)
    )
    if inserted is not None:
        return inserted
    return session.scalars(select(Customer).where(Customer.external_id == external_id)).one()


def new_customer(session: Session, values: dict[str, Any]) -> Customer:
    """A customer without an external id, inserted with ``values`` and returned as loaded."""
    [customer] = insert_rows(session, Customer, [values])
    return customer
