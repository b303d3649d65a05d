"""Deliveries of webhooks we received, so that each is applied once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from returns_service.orders.models import WebhookReceipt


def already_received(session: Session, source: str, delivery_id: str) -> bool:
    """Whether this delivery was applied before (a cheap look before doing the work)."""
    query = select(WebhookReceipt.id).where(
        WebhookReceipt.source == source, WebhookReceipt.delivery_id == delivery_id
    )
    return session.scalar(query) is not None


def first_delivery(
    session: Session, source: str, delivery_id: str, topic: str, now: datetime
) -> bool:
    """Record the delivery in the caller's transaction; False if it was recorded before.

    An insert that does nothing on conflict: a parallel request recording the same
    delivery waits for the first to commit, then sees it, and never fails on the key.
    """
    dialect = session.get_bind().dialect.name
    insert_for = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(dialect, insert)
    statement = insert_for(WebhookReceipt).values(
        source=source, delivery_id=delivery_id, topic=topic, received_at=now
    )
    if hasattr(statement, "on_conflict_do_nothing"):
        statement = statement.on_conflict_do_nothing(index_elements=["source", "delivery_id"])
    return session.execute(statement.returning(WebhookReceipt.id)).first() is not None
