"""Catalogue use cases: a product put whole, a product deleted, a stock level reported.

Stock itself is counted per SKU in ``inventory`` (see docs/decisions.md); these operations
turn what the shop says (a variant's count, a level per location of an inventory item) into
that count. Every operation takes the session and ``now`` and never commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from returns_service.catalogue.models import Product, StockLevel, Variant
from returns_service.errors import InvalidInput, NotFound
from returns_service.inventory import operations as stock

#: The shop's ids of products, as stored.
EXTERNAL_ID_LENGTH = 64


@dataclass(frozen=True)
class LevelReport:
    """Units of an inventory item available at a location, at the shop's time."""

    inventory_item_id: str
    location_id: str
    available: int | None  # None: the shop does not track this item's stock
    updated_at: datetime | None


def upsert_product(
    session: Session, external_id: str, data: dict[str, Any], now: datetime
) -> tuple[Product, str]:
    """Create or replace a product and its variants: "created", "updated" or "stale".

    Variants the document leaves out are removed. A variant's ``stock`` sets its SKU's
    count unless the shop's levels per location are known for it (those are finer and
    carry their own clocks, so a product document never undoes a newer level).
    """
    if not 0 < len(external_id) <= EXTERNAL_ID_LENGTH:
        raise InvalidInput(
            f"a product id has 1 to {EXTERNAL_ID_LENGTH} characters", field="external_id"
        )
    product = session.scalar(
        select(Product).where(Product.external_id == external_id).with_for_update()
    )
    updated_at = data.get("updated_at")
    if (
        product is not None
        and updated_at is not None
        and product.source_updated_at is not None
        and updated_at < product.source_updated_at
    ):
        return product, "stale"
    outcome = "updated"
    if product is None:
        product = Product(external_id=external_id, created_at=now)
        session.add(product)
        outcome = "created"
    product.title = data["title"]
    product.product_type = data["product_type"]
    product.tags = list(data["tags"])
    product.option_names = list(data["options"])
    product.source_updated_at = updated_at or product.source_updated_at
    product.deleted_at = None
    product.updated_at = now
    # Variants are looked up while the new list is built: nothing half-built is flushed.
    with session.no_autoflush:
        product.variants = [
            _variant(session, product, position, document)
            for position, document in enumerate(data["variants"], start=1)
        ]
    session.flush()
    for document, variant in zip(data["variants"], product.variants, strict=True):
        _count_variant(session, variant, document.get("stock"))
    return product, outcome


def _variant(session: Session, product: Product, position: int, data: dict[str, Any]) -> Variant:
    # Looked up across products: the shop may move a variant to another product.
    variant = session.scalar(select(Variant).where(Variant.external_id == data["external_id"]))
    if variant is None:
        variant = Variant(external_id=data["external_id"])
    variant.product = product
    variant.sku = data["sku"] or None
    variant.title = data["title"]
    variant.options = [{"name": o["name"], "value": o["value"]} for o in data["options"]]
    variant.price = data["price"]["amount"]
    variant.currency = data["price"]["currency"]
    variant.presentment_prices = {p["currency"]: p["amount"] for p in data["presentment_prices"]}
    variant.inventory_item_id = data["inventory_item_id"]
    variant.position = position
    return variant


def _count_variant(session: Session, variant: Variant, count: int | None) -> None:
    if variant.sku is None:
        return
    if variant.inventory_item_id is not None and _has_levels(session, variant.inventory_item_id):
        _recount_sku(session, variant.sku)
    elif count is not None:
        stock.set_on_hand(session, variant.sku, count)


def _has_levels(session: Session, inventory_item_id: str) -> bool:
    query = select(StockLevel.location_id).where(StockLevel.inventory_item_id == inventory_item_id)
    return session.scalar(query.limit(1)) is not None


def delete_product(session: Session, external_id: str, now: datetime) -> Product:
    """The shop deleted the product: it is kept for past exchanges and never offered again."""
    product = session.scalar(
        select(Product).where(Product.external_id == external_id).with_for_update()
    )
    if product is None:
        raise NotFound(f"no product {external_id!r}")
    product.deleted_at = product.deleted_at or now
    product.updated_at = now
    return product


def report_level(session: Session, report: LevelReport) -> str:
    """Apply one stock level: "updated", "stale", "untracked" or "unknown_item".

    A level for an item no variant names yet is kept: the product may come later, and its
    count is taken from the levels then.
    """
    outcome = _apply_level(session, report)
    if outcome != "updated":
        return outcome
    return "updated" if _recount_item(session, report.inventory_item_id) else "unknown_item"


def _apply_level(session: Session, report: LevelReport) -> str:
    if report.available is None:
        return "untracked"
    level = _locked_level(session, report.inventory_item_id, report.location_id)
    if (
        level.source_updated_at is not None
        and report.updated_at is not None
        and report.updated_at < level.source_updated_at
    ):
        return "stale"
    level.available = report.available
    level.source_updated_at = report.updated_at or level.source_updated_at
    return "updated"


def replace_levels(
    session: Session, inventory_item_ids: Iterable[str], reports: Iterable[LevelReport]
) -> int:
    """Take the shop's full answer for these items: levels it no longer lists are dropped.

    Returns how many SKU counts were set.
    """
    item_ids = set(inventory_item_ids)
    listed: dict[str, set[str]] = {item: set() for item in item_ids}
    # Levels first, in one order, then the counts: a webhook (level, then count) running
    # meanwhile never holds a row this waits for while waiting for one this holds.
    ordered = sorted(reports, key=lambda r: (r.inventory_item_id, r.location_id))
    for report in ordered:
        if report.inventory_item_id in item_ids and report.available is not None:
            _apply_level(session, report)
            listed[report.inventory_item_id].add(report.location_id)
    for item, locations in listed.items():
        session.execute(
            delete(StockLevel).where(
                StockLevel.inventory_item_id == item, StockLevel.location_id.not_in(locations)
            )
        )
    skus = set(
        session.scalars(
            select(Variant.sku).where(
                Variant.inventory_item_id.in_(item_ids), Variant.sku.is_not(None)
            )
        )
    )
    for sku in sorted(skus):  # one order for every process: row locks never deadlock
        _recount_sku(session, sku)
    return len(skus)


def tracked_inventory_items(session: Session) -> list[str]:
    """The inventory items of the variants on offer, for reconciliation with the shop."""
    query = (
        select(Variant.inventory_item_id)
        .join(Variant.product)
        .where(Variant.inventory_item_id.is_not(None), Product.deleted_at.is_(None))
        .distinct()
        .order_by(Variant.inventory_item_id)
    )
    return list(session.scalars(query))


def _locked_level(session: Session, inventory_item_id: str, location_id: str) -> StockLevel:
    key = {"inventory_item_id": inventory_item_id, "location_id": location_id}
    level = session.get(StockLevel, key, with_for_update=True)
    if level is not None:
        return level
    try:
        with session.begin_nested():
            session.add(StockLevel(**key, available=0))
    except IntegrityError:
        pass  # a parallel delivery created it first; its row is locked below
    return session.get(StockLevel, key, with_for_update=True, populate_existing=True)


def _recount_item(session: Session, inventory_item_id: str) -> bool:
    skus = session.scalars(
        select(Variant.sku)
        .where(Variant.inventory_item_id == inventory_item_id, Variant.sku.is_not(None))
        .distinct()
    ).all()
    for sku in sorted(skus):
        _recount_sku(session, sku)
    return bool(skus)


def _recount_sku(session: Session, sku: str) -> None:
    """Set a SKU's count to the sum of its inventory items' levels over every location."""
    items = select(Variant.inventory_item_id).where(Variant.sku == sku)
    total = session.scalar(
        select(func.coalesce(func.sum(StockLevel.available), 0)).where(
            StockLevel.inventory_item_id.in_(items)
        )
    )
    # An oversold item reads as negative at the shop; nothing can be promised from it.
    stock.set_on_hand(session, sku, max(int(total or 0), 0))
