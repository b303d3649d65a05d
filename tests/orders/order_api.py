"""What the order API tests share: the documents a shop PUTs and the call that PUTs them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from returns_service.auth.models import Role

TokenFor = Callable[[Role], dict[str, str]]


def yen(amount: int) -> dict[str, Any]:
    return {"amount": amount, "currency": "JPY"}


def usd(amount: int) -> dict[str, Any]:
    return {"amount": amount, "currency": "USD"}


def jpy_order() -> dict[str, Any]:
    """A Japanese shop's order: two T-shirts and a pair of socks, one parcel on its way."""
    return {
        "number": "#1001",
        "placed_at": "2025-03-01T10:00:00+09:00",
        "updated_at": "2025-03-01T10:05:00+09:00",
        "currency": "JPY",
        "financial_status": "paid",
        "fulfillment_status": "shipped",
        "payment": {"provider": "sandbox", "reference": "pay_001", "method": "card"},
        "tags": ["vip"],
        "customer": {
            "external_id": "cust-1",
            "email": "Hanako.Yamada@Example.jp",
            "phone": "+81312345678",
            "name": "山田 花子",
            "locale": "ja",
        },
        "shipping_address": {
            "name": "山田 花子",
            "postal_code": "150-0001",
            "country": "JP",
            "province": "JP-13",
            "city": "渋谷区",
            "address1": "神宮前1-2-3",
        },
        "total": yen(6040),
        "shipping": yen(500),
        "discount": yen(300),
        "lines": [
            {
                "external_id": "L1",
                "sku": "TSHIRT-NAVY-M",
                "product_id": "P1",
                "variant_id": "V1",
                "title": "Tシャツ ネイビー M",
                "quantity": 2,
                "unit_price": yen(2000),
                "discount": yen(200),
                "product_type": "apparel",
                "tags": ["summer"],
            },
            {
                "external_id": "L2",
                "sku": "SOCKS-GREY",
                "title": "靴下 グレー",
                "quantity": 1,
                "unit_price": yen(1840),
                "discount": yen(100),
                "final_sale": True,
            },
        ],
        "shipments": [
            {
                "external_id": "S1",
                "carrier": "yamato",
                "tracking_number": "1234-5678-9012",
                "status": "in_transit",
                "shipped_at": "2025-03-02T09:00:00+09:00",
                "lines": [{"line_id": "L1", "quantity": 2}],
            }
        ],
    }


def usd_order() -> dict[str, Any]:
    """An order in dollars: cents as the minor unit."""
    return {
        "number": "US-7",
        "placed_at": "2025-04-10T15:30:00-04:00",
        "currency": "USD",
        "customer": {"phone": "+12125550123", "locale": "en"},
        "total": usd(4498),
        "lines": [
            {
                "external_id": "9001",
                "sku": "MUG-BLUE",
                "title": "Blue mug",
                "quantity": 2,
                "unit_price": usd(2499),
                "discount": usd(500),
            }
        ],
    }


def put_order(
    client: FlaskClient, headers: dict[str, str], external_id: str, document: dict[str, Any]
) -> Any:
    return client.put(f"/api/v1/orders/{external_id}", json=document, headers=headers)
