"""Updates that must not undo what others said: the warehouse's progress, the language, and
carriers' own words for a parcel's status."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

from tests.conftest import SHOPIFY_SECRET
from tests.shop import Shop, order_document


def _shopify(shop: Shop, order: dict[str, Any], topic: str = "orders/updated") -> Any:
    body = json.dumps(order).encode()
    signature = base64.b64encode(hmac.new(SHOPIFY_SECRET.encode(), body, hashlib.sha256).digest())
    return shop.client.post(
        "/webhooks/shopify",
        data=body,
        headers={
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": signature.decode(),
            "Content-Type": "application/json",
        },
    )


SHOPIFY_ORDER = {
    "id": 7001,
    "name": "#7001",
    "currency": "JPY",
    "created_at": "2026-11-20T10:00:00+09:00",
    "updated_at": "2026-11-20T10:00:00+09:00",
    "financial_status": "paid",
    "email": "taro@example.jp",
    "total_price": "3900",
    "line_items": [
        {"id": 1, "sku": "TEE", "title": "Tシャツ", "quantity": 1, "price": "3900"},
    ],
}


def test_a_shop_update_keeps_the_warehouses_progress(shop: Shop) -> None:
    assert _shopify(shop, SHOPIFY_ORDER, "orders/create").status_code == 200
    document = order_document(number="#7001", delivered_days_ago=None)
    document["fulfillment_status"] = "packed"
    shop.client.put("/api/v1/orders/7001", json=document, headers=shop.integration)
    later = SHOPIFY_ORDER | {"updated_at": "2026-11-20T11:00:00+09:00", "note": "gift"}
    assert _shopify(shop, later).json["status"] == "updated"
    order = shop.client.get("/api/v1/orders/7001", headers=shop.integration).json
    assert order["fulfillment_status"] == "packed"


def test_a_customer_whose_language_is_unknown_gets_the_shops(
    shop: Shop, configure: Callable[..., None]
) -> None:
    configure(DEFAULT_LOCALE="en")
    _shopify(shop, SHOPIFY_ORDER, "orders/create")
    order = shop.client.get("/api/v1/orders/7001", headers=shop.integration).json
    assert order["customer"]["locale"] == "en"


def test_japanese_carrier_status_words_become_our_statuses(shop: Shop) -> None:
    shop.put_order(delivered_days_ago=None)
    for word, expected in (
        ("荷物受付", "in_transit"),
        ("配達中", "out_for_delivery"),
        ("配達完了", "delivered"),
    ):
        response = shop.client.post(
            "/api/v1/orders/5001/shipments",
            headers=shop.integration,
            json={
                "external_id": "Y1",
                "carrier": "ヤマト運輸",
                "tracking_number": "4000-2222-3333",
                "carrier_status": word,
            },
        )
        assert response.status_code == 200, response.json
        shipment = next(s for s in response.json["shipments"] if s["external_id"] == "Y1")
        assert shipment["status"] == expected, word


def test_an_amount_too_large_to_store_is_refused_by_name(shop: Shop) -> None:
    document = order_document()
    document["total"]["amount"] = 2**63
    response = shop.client.put("/api/v1/orders/9", json=document, headers=shop.integration)
    assert response.status_code == 422
    assert response.json["errors"]["json"]["total"]["amount"] == ["is too large to store"]


def test_refunds_paid_in_the_customers_currency_count_in_the_shops(shop: Shop) -> None:
    refund = {
        "transactions": [
            {
                "kind": "refund",
                "status": "success",
                "amount": "10.00",
                "currency": "EUR",
                "amount_set": {
                    "shop_money": {"amount": "1650", "currency_code": "JPY"},
                    "presentment_money": {"amount": "10.00", "currency_code": "EUR"},
                },
            },
            {"kind": "refund", "status": "success", "amount": "5.00", "currency": "EUR"},
            {"kind": "refund", "status": "success", "amount": "500", "currency": "JPY"},
        ]
    }
    assert _shopify(shop, SHOPIFY_ORDER | {"refunds": [refund]}, "orders/create").status_code == 200
    order = shop.client.get("/api/v1/orders/7001", headers=shop.integration).json
    # 1650 yen (the euro refund's value in yen) + 500 yen; the euro amount without it is left out
    assert order["refunded"] == {"amount": 2150, "currency": "JPY"}
