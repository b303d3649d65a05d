"""Shopify's products and inventory levels (REST Admin API 2024-04 shapes) in our terms.

Pure mapping: no database, no HTTP. Shopify names stock by inventory item, not by variant
or SKU; a variant carries its ``inventory_item_id``, which is how a level finds its SKU.
(The API's documentation samples give a variant the same number as its inventory item;
real shops do not, so nothing here joins on that.)
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from returns_service.catalogue.operations import LevelReport
from returns_service.money import to_minor


def _id(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _variant(variant: Mapping[str, Any], option_names: list[str], currency: str) -> dict[str, Any]:
    options = []
    for position, name in enumerate(option_names, start=1):
        value = variant.get(f"option{position}")
        if value not in (None, ""):
            options.append({"name": name, "value": str(value)})
    presentment = []
    for entry in variant.get("presentment_prices") or []:
        price = entry.get("price") or {}
        code = price.get("currency_code")
        if code and code != currency and price.get("amount") is not None:
            presentment.append({"amount": to_minor(price["amount"], code), "currency": code})
    document: dict[str, Any] = {
        "external_id": str(variant["id"]),
        "sku": variant.get("sku") or None,
        "title": variant.get("title") or "",
        "options": options,
        "price": {"amount": to_minor(variant.get("price") or "0", currency), "currency": currency},
        "presentment_prices": presentment,
        "inventory_item_id": _id(variant.get("inventory_item_id")),
    }
    # Shopify counts only variants whose inventory it manages; others have no count.
    if variant.get("inventory_management") == "shopify" and document["sku"]:
        document["stock"] = max(int(variant.get("inventory_quantity") or 0), 0)
    return document


def product_from_shopify(payload: Mapping[str, Any], currency: str) -> dict[str, Any]:
    """A ``products/create|update`` body (or an API product) as a product document.

    Prices are strings in the shop's currency (``currency``); prices in other currencies
    come from ``presentment_prices`` where Shopify sends them.
    """
    product = payload.get("product", payload)
    option_names = [
        str(option["name"])
        for option in sorted(product.get("options") or [], key=lambda o: o.get("position", 0))
    ]
    tags = product.get("tags") or ""
    if isinstance(tags, str):
        tags = [tag.strip() for tag in tags.split(",")]
    return {
        "title": product.get("title") or "",
        "product_type": product.get("product_type") or "",
        "tags": [tag for tag in tags if tag],
        "options": option_names,
        "updated_at": product.get("updated_at"),
        "variants": [
            _variant(variant, option_names, currency) for variant in product.get("variants") or []
        ],
    }


def level_from_shopify(payload: Mapping[str, Any]) -> LevelReport:
    """An ``inventory_levels/update`` body (or one level of ``inventory_levels.json``).

    ``available`` is null for an item whose stock Shopify does not track.
    """
    level = payload.get("inventory_level", payload)
    available = level.get("available")
    updated_at = level.get("updated_at")
    return LevelReport(
        inventory_item_id=str(level["inventory_item_id"]),
        location_id=str(level["location_id"]),
        available=None if available is None else int(available),
        updated_at=datetime.fromisoformat(updated_at) if updated_at else None,
    )
