"""Deliveries of webhooks we received, so that each is applied once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.orders.models import WebhookReceipt
from returns_service.portable_sql import insert_skipping_duplicates


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
    statement = insert_skipping_duplicates(
        session, WebhookReceipt, ["source", "delivery_id"]
    ).values(source=source, delivery_id=delivery_id, topic=topic, received_at=now)
    return session.execute(statement.returning(WebhookReceipt.id)).first() is not None
