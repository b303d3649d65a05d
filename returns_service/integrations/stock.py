"""Stock read from another system, written into our stock per SKU: the one place that does."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.integrations.warehouse_system import StockLevel
from returns_service.inventory.models import StockItem


def apply_stock_levels(session: Session, levels: Iterable[StockLevel], now: datetime) -> int:
    """Set each SKU's units on hand to what the warehouse can still promise; returns how many.

    Our own reservations stay as they are: they hold units the warehouse has not been asked
    to ship yet, so what we can offer is the warehouse's count less them. Rows are locked in
    SKU order, as a reservation locks them, so a sync and an exchange queue up.
    """
    by_sku = {level.sku: level.available for level in levels}
    if not by_sku:
        return 0
    existing = {
        item.sku: item
        for item in session.scalars(
            select(StockItem)
            .where(StockItem.sku.in_(sorted(by_sku)))
            .order_by(StockItem.sku)
            .with_for_update()
        )
    }
    for sku, available in sorted(by_sku.items()):
        item = existing.get(sku)
        if item is None:
            session.add(StockItem(sku=sku, on_hand=available, reserved=0, updated_at=now))
        elif item.on_hand != available:
            item.on_hand = available
            item.updated_at = now
    return len(by_sku)
