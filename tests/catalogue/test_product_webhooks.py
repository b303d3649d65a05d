"""Shopify's product and stock webhooks, with the shapes of Shopify's own API samples.

Expected values were worked out by hand from the fixture files: prices are strings in the
shop's currency (USD in Shopify's samples), counts are ``inventory_quantity`` until the
shop's levels per location are known, then the sum of those levels.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from returns_service.catalogue.models import Product, StockLevel, Variant
from tests.catalogue.conftest import LEVEL, LEVELS, shopify_exchange, shopify_product
from tests.conftest import shared_payload
from tests.shop import Shop

Deliver = Callable[..., Any]
StockOf = Callable[[str], tuple[int, int] | None]
IPOD = "632910392"


@pytest.fixture(autouse=True)
def _shop_in_dollars(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "CURRENCY", "USD")


def _level(item: int, location: int, available: int | None, updated_at: str) -> dict[str, Any]:
    """An ``inventory_levels/update`` body: the bare level object, as Shopify sends it."""
    body = copy.deepcopy(shared_payload(LEVEL)["inventory_level"])
    body.update(
        inventory_item_id=item,
        location_id=location,
        available=available,
        updated_at=updated_at,
        admin_graphql_api_id=f"gid://shopify/InventoryLevel/{location}?inventory_item_id={item}",
    )
    return body


def _variants(shop: Shop, external_id: str) -> list[tuple[Any, ...]]:
    response = shop.client.get(f"/api/v1/products/{external_id}", headers=shop.agent)
    assert response.status_code == 200, response.json
    return [
        (v["sku"], [o["value"] for o in v["options"]], v["price"]["amount"], v["available"])
        for v in response.json["variants"]
    ]


def test_products_create_stores_variants_options_prices_and_counts(
    deliver: Deliver, shop: Shop, stock_of: StockOf
) -> None:
    response = deliver("products/create", shopify_product("test_9"))
    assert response.json == {"status": "created", "topic": "products/create"}
    assert _variants(shop, IPOD) == [
        ("IPOD2008PINK", ["Pink"], 19900, 10),
        ("IPOD2008RED", ["Red"], 19900, 20),
        ("IPOD2008GREEN", ["Green"], 19900, 30),
        ("IPOD2008BLACK", ["Black"], 19900, 40),
    ]
    product = shop.client.get(f"/api/v1/products/{IPOD}", headers=shop.agent).json
    assert (product["title"], product["options"]) == ("IPod Nano - 8GB", ["Color"])
    assert product["tags"] == ["Emotive", "Flash Memory", "MP3", "Music"]
    assert product["variants"][0]["inventory_item_id"] == "808950810"


def test_products_with_two_options_or_without_skus_are_kept_as_sent(
    deliver: Deliver, shop: Shop, session: Session
) -> None:
    two_variants = shopify_product("test_25")
    two_options = shopify_product("test_26")
    assert deliver("products/create", two_variants).json["status"] == "created"
    assert deliver("products/create", two_options).json["status"] == "created"
    # Untracked variants (inventory_management null) have no count.
    assert _variants(shop, str(two_variants["id"])) == [
        ("123", ["First"], 1000, 0),
        ("123", ["Second"], 2000, 0),
    ]
    options = [(v[0], v[1]) for v in _variants(shop, str(two_options["id"]))]
    assert options == [(None, ["Blue", "155"]), (None, ["Black", "159"])]


def test_inventory_levels_update_sets_the_skus_count_from_every_location(
    deliver: Deliver, stock_of: StockOf
) -> None:
    deliver("products/create", shopify_product("test_9"))
    pink = 808950810
    # The go-shopify level, as the webhook's bare object: 6 at location 905684977.
    first = deliver("inventory_levels/update", shared_payload(LEVEL)["inventory_level"])
    assert first.json == {"status": "updated", "topic": "inventory_levels/update"}
    assert stock_of("IPOD2008PINK") == (6, 0)
    # A second location of the same item (Shopify's list sample: 9 at 487838322).
    listed = shopify_exchange(LEVELS, "test_2")["response"]["inventory_levels"][0]
    deliver("inventory_levels/update", listed)
    assert stock_of("IPOD2008PINK") == (15, 0)
    older = _level(pink, 905684977, 100, "2020-04-06T10:00:00-04:00")
    assert deliver("inventory_levels/update", older).json["status"] == "stale"
    untracked = _level(pink, 905684977, None, "2030-01-01T00:00:00Z")
    assert deliver("inventory_levels/update", untracked).json["status"] == "untracked"
    assert stock_of("IPOD2008PINK") == (15, 0)
    # products/update carries inventory_quantity 10, but the levels are known: they count.
    assert deliver("products/update", shopify_product("test_9")).json["status"] == "updated"
    assert stock_of("IPOD2008PINK") == (15, 0)


def test_a_level_before_its_product_counts_once_the_product_arrives(
    deliver: Deliver, stock_of: StockOf
) -> None:
    red = _level(49148385, 655441491, 2, "2024-04-02T08:56:04-05:00")
    assert deliver("inventory_levels/update", red).json["status"] == "unknown_item"
    assert stock_of("IPOD2008RED") is None
    deliver("products/create", shopify_product("test_9"))
    assert stock_of("IPOD2008RED") == (2, 0)  # not the product's inventory_quantity of 20
    assert stock_of("IPOD2008PINK") == (10, 0)


def test_products_delete_withdraws_the_product(deliver: Deliver, shop: Shop) -> None:
    deliver("products/create", shopify_product("test_9"))
    assert deliver("products/delete", {"id": int(IPOD)}).json["status"] == "deleted"
    assert shop.client.get(f"/api/v1/products/{IPOD}", headers=shop.agent).json["deleted"]
    assert deliver("products/delete", {"id": 1}).json["status"] == "ignored"


def test_a_stale_product_update_is_not_applied(deliver: Deliver, shop: Shop) -> None:
    product = shopify_product("test_9")
    deliver("products/create", product)
    older = copy.deepcopy(product) | {"title": "old", "updated_at": "2020-01-01T00:00:00-05:00"}
    assert deliver("products/update", older).json["status"] == "stale"
    assert shop.client.get(f"/api/v1/products/{IPOD}", headers=shop.agent).json["title"] == (
        "IPod Nano - 8GB"
    )


def test_bad_signature_duplicate_unknown_topic_and_bad_payload(
    deliver: Deliver, session: Session
) -> None:
    product = shopify_product("test_9")
    unsigned = deliver("products/create", product, signature="bm9wZQ==")
    assert unsigned.status_code == 401
    assert "X-Shopify-Hmac-Sha256" in unsigned.json["message"]
    assert session.scalar(select(func.count()).select_from(Product)) == 0

    assert deliver("products/create", product, webhook_id="w-1").json["status"] == "created"
    assert deliver("products/update", product, webhook_id="w-1").json == {"status": "duplicate"}
    assert deliver("collections/create", {"id": 1}).json["status"] == "ignored"

    no_id = copy.deepcopy(product)
    del no_id["variants"][0]["id"]
    refused = deliver("products/update", no_id)
    assert refused.status_code == 422
    assert "id" in refused.json["message"]
    bad_price = copy.deepcopy(product)
    bad_price["variants"][0]["price"] = "about ten"
    assert deliver("products/update", bad_price).status_code == 422
    no_location = {"inventory_item_id": 808950810, "available": 3}
    assert deliver("inventory_levels/update", no_location).status_code == 422
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Variant)) == 4
    assert session.scalar(select(func.count()).select_from(StockLevel)) == 0
