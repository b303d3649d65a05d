"""The products API: a product put whole with its variants and stock, read, replaced, deleted."""

from __future__ import annotations

import copy
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from returns_service.auth.models import Role
from returns_service.catalogue.models import Product, Variant
from returns_service.inventory.models import StockItem
from tests.shop import Shop, product_document

StockOf = Callable[[str], tuple[int, int] | None]


def _rows(session: Session) -> dict[str, int]:
    session.expire_all()
    return {
        model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Product, Variant, StockItem)
    }


def test_a_product_is_created_with_its_variants_and_stock(shop: Shop, stock_of: StockOf) -> None:
    response = shop.client.put(
        "/api/v1/products/P-DNM", json=product_document(), headers=shop.integration
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert (body["title"], body["options"], body["deleted"]) == (
        "セルビッジデニム",
        ["ウエスト"],
        False,
    )
    assert [(v["sku"], v["options"], v["price"], v["available"]) for v in body["variants"]] == [
        ("DNM-30", [{"name": "ウエスト", "value": "30"}], {"amount": 12800, "currency": "JPY"}, 5),
        ("DNM-32", [{"name": "ウエスト", "value": "32"}], {"amount": 12800, "currency": "JPY"}, 3),
        ("DNM-34", [{"name": "ウエスト", "value": "34"}], {"amount": 12800, "currency": "JPY"}, 0),
    ]
    assert stock_of("DNM-32") == (3, 0)
    read = shop.client.get("/api/v1/products/P-DNM", headers=shop.warehouse)
    assert read.status_code == 200
    assert read.json == body


def test_putting_again_replaces_variants_and_keeps_held_units_held(
    shop: Shop, session: Session, stock_of: StockOf
) -> None:
    shop.put_product()
    session.get(StockItem, "DNM-32").reserved = 2  # two units held for exchanges
    session.commit()
    document = product_document([("DNM-30", "30", 13200, 4), ("DNM-32", "32", 13200, 7)])
    response = shop.client.put("/api/v1/products/P-DNM", json=document, headers=shop.integration)
    assert response.status_code == 200, response.json
    assert [(v["sku"], v["available"]) for v in response.json["variants"]] == [
        ("DNM-30", 4),
        ("DNM-32", 5),
    ]
    assert stock_of("DNM-32") == (7, 2)
    assert _rows(session)["product_variants"] == 2  # DNM-34 is gone from the product


def test_a_variant_without_a_count_leaves_its_stock_as_it_is(shop: Shop, stock_of: StockOf) -> None:
    shop.put_product()
    document = product_document()
    for variant in document["variants"]:
        del variant["stock"]
    shop.put_product(document=document)
    assert stock_of("DNM-30") == (5, 0)


def test_an_older_version_of_a_product_is_not_applied(shop: Shop, session: Session) -> None:
    newer = product_document() | {"updated_at": "2026-12-02T10:00:00+09:00", "title": "新"}
    older = product_document() | {"updated_at": "2026-12-02T09:00:00+09:00", "title": "旧"}
    shop.put_product(document=newer)
    assert shop.put_product(document=older)["title"] == "新"


def test_bad_products_are_refused_naming_the_field_and_nothing_is_written(
    shop: Shop, session: Session
) -> None:
    good = product_document()
    cases: list[tuple[Callable[[dict[str, Any]], None], str, Any]] = [
        (lambda d: d.pop("title"), "title", ["Missing data for required field."]),
        (lambda d: d["variants"][0].pop("price"), "variants", None),
        (
            lambda d: d["variants"][1].update(external_id="V-DNM-30"),
            "variants",
            ["variant ids repeat: V-DNM-30"],
        ),
        (
            lambda d: d["variants"][0].update(options=[{"name": "色", "value": "紺"}]),
            "variants.0.options",
            ["options not among the product's options: 色"],
        ),
        (lambda d: d["variants"][0].update(stock=-1), "variants", None),
        (lambda d: d["variants"][0].update(sku=None), "variants", None),
        (lambda d: d["variants"][0]["price"].update(currency="yen"), "variants", None),
    ]
    for change, field, messages in cases:
        document = copy.deepcopy(good)
        change(document)
        response = shop.client.put(
            "/api/v1/products/P-DNM", json=document, headers=shop.integration
        )
        assert response.status_code == 422, (field, response.json)
        errors = response.json["errors"]["json"]
        assert field in errors, (field, errors)
        if messages is not None:
            assert errors[field] == messages
    too_long = shop.client.put(f"/api/v1/products/{'9' * 65}", json=good, headers=shop.integration)
    assert too_long.status_code == 422
    assert "external_id" in too_long.json["errors"]["json"]
    assert _rows(session) == {"products": 0, "product_variants": 0, "stock_items": 0}


def test_only_the_integration_may_put_products(shop: Shop, token_for: Any) -> None:
    document = product_document()
    assert shop.client.put("/api/v1/products/P-DNM", json=document).status_code == 401
    for role in (Role.AGENT, Role.WAREHOUSE):
        response = shop.client.put("/api/v1/products/P-DNM", json=document, headers=token_for(role))
        assert response.status_code == 403
    assert shop.client.get("/api/v1/products/P-DNM", headers=shop.agent).status_code == 404


def test_a_deleted_product_is_kept_and_marked(shop: Shop) -> None:
    shop.put_product()
    deleted = shop.client.delete("/api/v1/products/P-DNM", headers=shop.integration)
    assert deleted.status_code == 200
    assert deleted.json["deleted"] is True
    assert shop.client.delete("/api/v1/products/NOPE", headers=shop.integration).status_code == 404
    # The shop selling it again brings it back.
    assert shop.put_product()["deleted"] is False


def test_products_sharing_a_new_sku_put_at_once_make_one_stock_row(
    app: Any, shop: Shop, session: Session, stock_of: StockOf
) -> None:
    def put(number: int) -> int:
        document = product_document([("SHARED", "F", 5000, 7)], title=f"セット {number}")
        document["variants"][0]["external_id"] = f"V-SHARED-{number}"
        response = app.test_client().put(
            f"/api/v1/products/P-{number}", json=document, headers=shop.integration
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(put, range(4))) == [201] * 4
    assert stock_of("SHARED") == (7, 0)
    assert _rows(session)["stock_items"] == 1
