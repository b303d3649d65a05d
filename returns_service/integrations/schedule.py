"""Time-driven integration work: the warehouse system's stock read on a schedule."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from returns_service import outbox
from returns_service.outbox import OutboxMessage
from returns_service.shop import ShopSettings

SYNC_JOB = "warehouse_sync_stock"


def queue_due_stock_sync(session: Session, now: datetime, settings: ShopSettings) -> bool:
    """Queue a stock sync when the last one is older than the interval; True if queued.

    Every worker calls this between jobs; the latest sync row decides, so several workers
    queue one sync between them (two at worst, if they look at the same moment; a sync is
    idempotent).
    """
    config = settings.config
    minutes = config["WAREHOUSE_STOCK_SYNC_MINUTES"]
    if config["WAREHOUSE_SYSTEM"] == "webhooks" or minutes <= 0:
        return False
    latest = session.scalar(
        select(func.max(OutboxMessage.created_at)).where(OutboxMessage.job == SYNC_JOB)
    )
    if latest is not None and latest > now - timedelta(minutes=minutes):
        return False
    outbox.record(session, SYNC_JOB, now)
    return True
