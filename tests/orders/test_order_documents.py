"""PUT an order and GET it back: the stored document, money in its minor unit, stable line
ids, out-of-order updates, and the statements a PUT costs."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bench.inprocess import counted_statements
from returns_service.events import Event
from returns_service.orders.models import Order
from tests.orders.order_api import jpy_order, put_order, usd_order, yen


def test_put_creates_then_replaces_and_get_returns_the_order(
    client: FlaskClient, integration: dict[str, str], session: Session
) -> None:
    created = put_order(client, integration, "A-1001", jpy_order())
    assert created.status_code == 201, created.json
    assert created.json["external_id"] == "A-1001"

    replacement = jpy_order()
    replacement["updated_at"] = "2025-03-03T08:00:00+09:00"
    replacement["financial_status"] = "partially_refunded"
    replacement["refunded"] = yen(1740)
    replacement["lines"][0]["quantity"] = 3
    replaced = put_order(client, integration, "A-1001", replacement)
    assert replaced.status_code == 200, replaced.json

    response = client.get("/api/v1/orders/A-1001", headers=integration)
    assert response.status_code == 200
    body = response.json
    line_ids = [line["id"] for line in body["lines"]]
    assert body == {
        "external_id": "A-1001",
        "number": "#1001",
        "placed_at": "2025-03-01T01:00:00+00:00",
        "currency": "JPY",
        "financial_status": "partially_refunded",
        "fulfillment_status": "shipped",
        "source": "api",
        "payment": {"provider": "sandbox", "reference": "pay_001", "method": "card"},
        "is_subscription": False,
        "subscription_reference": None,
        "tags": ["vip"],
        "cancelled_at": None,
        "customer": {
            "external_id": "cust-1",
            "email": "hanako.yamada@example.jp",
            "phone": "+81312345678",
            "name": "山田 花子",
            "locale": "ja",
        },
        "shipping_address": {
            "name": "山田 花子",
            "phone": None,
            "postal_code": "150-0001",
            "country": "JP",
            "province": "JP-13",
            "city": "渋谷区",
            "address1": "神宮前1-2-3",
            "address2": "",
        },
        "total": {"amount": 6040, "currency": "JPY"},
        "shipping": {"amount": 500, "currency": "JPY"},
        "discount": {"amount": 300, "currency": "JPY"},
        "refunded": {"amount": 1740, "currency": "JPY"},
        "lines": [
            {
                "id": line_ids[0],
                "external_id": "L1",
                "sku": "TSHIRT-NAVY-M",
                "title": "Tシャツ ネイビー M",
                "quantity": 3,
                "unit_price": {"amount": 2000, "currency": "JPY"},
                "discount": {"amount": 200, "currency": "JPY"},
                "total": {"amount": 5800, "currency": "JPY"},
                "product_type": "apparel",
                "tags": ["summer"],
                "final_sale": False,
            },
            {
                "id": line_ids[1],
                "external_id": "L2",
                "sku": "SOCKS-GREY",
                "title": "靴下 グレー",
                "quantity": 1,
                "unit_price": {"amount": 1840, "currency": "JPY"},
                "discount": {"amount": 100, "currency": "JPY"},
                "total": {"amount": 1740, "currency": "JPY"},
                "product_type": "",
                "tags": [],
                "final_sale": True,
            },
        ],
        "shipments": [
            {
                "external_id": "S1",
                "carrier": "yamato",
                "tracking_number": "1234-5678-9012",
                "status": "in_transit",
                "shipped_at": "2025-03-02T00:00:00+00:00",
                "delivered_at": None,
                "lines": [{"line_id": "L1", "quantity": 2}],
            }
        ],
    }
    # One order, one customer; the timeline shows both deliveries.
    assert session.scalars(select(Order.external_id)).all() == ["A-1001"]
    kinds = session.scalars(select(Event.kind).order_by(Event.id)).all()
    assert kinds == ["order.created", "order.updated"]


def test_usd_order_keeps_cents(client: FlaskClient, integration: dict[str, str]) -> None:
    assert put_order(client, integration, "9001", usd_order()).status_code == 201

    body = client.get("/api/v1/orders/9001", headers=integration).json
    assert body["currency"] == "USD"
    assert body["placed_at"] == "2025-04-10T19:30:00+00:00"
    assert body["total"] == {"amount": 4498, "currency": "USD"}
    assert body["shipping"] == {"amount": 0, "currency": "USD"}
    assert body["customer"]["email"] is None
    assert body["customer"]["phone"] == "+12125550123"
    [line] = body["lines"]
    assert (line["quantity"], line["unit_price"], line["discount"], line["total"]) == (
        2,
        {"amount": 2499, "currency": "USD"},
        {"amount": 500, "currency": "USD"},
        {"amount": 4498, "currency": "USD"},
    )


def test_line_ids_stay_the_same_across_a_re_put(
    client: FlaskClient, integration: dict[str, str]
) -> None:
    first = put_order(client, integration, "A-1001", jpy_order()).json
    ids_before = {line["external_id"]: line["id"] for line in first["lines"]}

    document = jpy_order()
    document["updated_at"] = "2025-03-04T00:00:00+09:00"
    document["lines"].reverse()
    document["lines"][0]["title"] = "靴下 グレー (新)"
    second = put_order(client, integration, "A-1001", document)
    assert second.status_code == 200

    body = client.get("/api/v1/orders/A-1001", headers=integration).json
    assert {line["external_id"]: line["id"] for line in body["lines"]} == ids_before
    assert {line["external_id"]: line["title"] for line in body["lines"]} == {
        "L1": "Tシャツ ネイビー M",
        "L2": "靴下 グレー (新)",
    }


def test_a_line_the_shop_stops_sending_is_kept(
    client: FlaskClient, integration: dict[str, str]
) -> None:
    put_order(client, integration, "A-1001", jpy_order())
    document = jpy_order()
    document["updated_at"] = "2025-03-04T00:00:00+09:00"
    del document["lines"][1]

    assert put_order(client, integration, "A-1001", document).status_code == 200
    body = client.get("/api/v1/orders/A-1001", headers=integration).json
    assert [line["external_id"] for line in body["lines"]] == ["L1", "L2"]


def test_get_unknown_order_is_404(client: FlaskClient, integration: dict[str, str]) -> None:
    response = client.get("/api/v1/orders/nope", headers=integration)
    assert response.status_code == 404
    assert response.json["message"] == "no order with external id 'nope'"


def test_older_update_is_ignored(client: FlaskClient, integration: dict[str, str]) -> None:
    put_order(client, integration, "A-1001", jpy_order())
    older = jpy_order()
    older["updated_at"] = "2025-03-01T09:00:00+09:00"
    older["financial_status"] = "refunded"

    assert put_order(client, integration, "A-1001", older).status_code == 200
    body = client.get("/api/v1/orders/A-1001", headers=integration).json
    assert body["financial_status"] == "paid"


def test_putting_an_order_reads_and_writes_each_table_once_however_many_parcels(
    app: Flask,
    client: FlaskClient,
    integration: dict[str, str],
    configure: Callable[..., None],
) -> None:
    # The token's last use is noted once, and it is trusted for the calls that follow.
    configure(ACCESS_CHECK_SECONDS=3600)
    put_order(client, integration, "WARM", jpy_order())
    created, replaced = {}, {}
    for parcels in (1, 3):
        document = jpy_order()
        document["customer"] |= {"external_id": f"C{parcels}", "email": f"{parcels}@shop.jp"}
        document["shipments"] = [
            {
                "external_id": f"S{n}",
                "status": "in_transit",
                "lines": [{"line_id": line_id, "quantity": 1}],
            }
            for n, line_id in enumerate(["L1", "L1", "L2"][:parcels])
        ]
        for seen in (created, replaced):
            with counted_statements(app) as sent:
                assert put_order(client, integration, f"P{parcels}", document).status_code < 300
            seen[parcels] = len(sent)

    # Whether the order is there, with the customer (by external id, else by e-mail), in
    # one statement; the customer inserted; the order with its lines in one statement; one
    # insert per table (parcels, their lines, the event). A new order has no cancellations to
    # hold it to: none are read.
    assert created == {1: 6, 3: 6}, created
    # Whether the order is there (its row locked), the order, its lines, its parcels, their
    # lines, the customer; the parcel lines replaced (an insert, a delete), the event, the
    # cancellations.
    assert replaced == {1: 10, 3: 10}, replaced
