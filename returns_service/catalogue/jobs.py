"""Catalogue jobs: reconcile stock per SKU with the shop's own levels."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service import outbox
from returns_service.catalogue import operations
from returns_service.catalogue.shopify import level_from_shopify
from returns_service.catalogue.shopify_client import ShopifyInventory
from returns_service.shop import ShopSettings

log = logging.getLogger(__name__)
RECONCILE_JOB = "reconcile_shopify_stock"


def reconcile_shopify_stock(session: Session, now: datetime, settings: ShopSettings) -> None:
    """Take every tracked item's levels from Shopify as the truth, missed webhooks included.

    Idempotent: it sets counts, never adds to them, and a level older than one already
    applied (a webhook that overtook the listing) is left alone.
    """
    items = operations.tracked_inventory_items(session)
    if not items:
        return
    client = ShopifyInventory.from_config(settings.config)
    reports = [level_from_shopify(level) for level in client.levels(items)]
    counted = operations.replace_levels(session, items, reports)
    log.info("reconciled %d SKUs from %d Shopify stock levels", counted, len(reports))


def schedule_reconciliation(session: Session, now: datetime, every: timedelta) -> bool:
    """Queue a reconciliation unless one was queued within ``every``; True if queued."""
    last = session.scalar(
        select(outbox.OutboxMessage.created_at)
        .where(outbox.OutboxMessage.job == RECONCILE_JOB)
        .order_by(outbox.OutboxMessage.created_at.desc())
        .limit(1)
    )
    if last is not None and last > now - every:
        return False
    outbox.record(session, RECONCILE_JOB, now)
    return True


def reconcile_when_due(session: Session, now: datetime, settings: ShopSettings) -> None:
    """Periodically: queue a reconciliation when the Shopify API is set up and one is due."""
    config = settings.config
    minutes = config["SHOPIFY_STOCK_SYNC_MINUTES"]
    if minutes and config["SHOPIFY_API_BASE"] and config["SHOPIFY_ACCESS_TOKEN"]:
        schedule_reconciliation(session, now, timedelta(minutes=minutes))
