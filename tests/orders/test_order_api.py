"""The order ingestion API: PUT an order, GET it, POST its shipments."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bench.inprocess import counted_statements
from returns_service.auth.models import Role
from returns_service.events import Event
from returns_service.orders.models import Order

TokenFor = Callable[[Role], dict[str, str]]
CountRows = Callable[[], dict[str, int]]
NOTHING = {"orders": 0, "order_lines": 0, "shipments": 0, "customers": 0}


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


@pytest.fixture
def integration(token_for: TokenFor) -> dict[str, str]:
    return token_for(Role.INTEGRATION)


def put_order(
    client: FlaskClient, headers: dict[str, str], external_id: str, document: dict[str, Any]
) -> Any:
    return client.put(f"/api/v1/orders/{external_id}", json=document, headers=headers)


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


def test_post_shipment_adds_then_updates_it(
    client: FlaskClient, integration: dict[str, str]
) -> None:
    document = jpy_order()
    document["shipments"] = []
    document["fulfillment_status"] = "packed"
    put_order(client, integration, "A-1001", document)

    added = client.post(
        "/api/v1/orders/A-1001/shipments",
        json={
            "external_id": "S1",
            "carrier": "sagawa",
            "tracking_number": "4000-1111-2222",
            "status": "label_created",
            "lines": [{"line_id": "L1", "quantity": 2}, {"line_id": "L2", "quantity": 1}],
        },
        headers=integration,
    )
    assert added.status_code == 200, added.json
    assert added.json["shipments"] == [
        {
            "external_id": "S1",
            "carrier": "sagawa",
            "tracking_number": "4000-1111-2222",
            "status": "label_created",
            "shipped_at": None,
            "delivered_at": None,
            "lines": [{"line_id": "L1", "quantity": 2}, {"line_id": "L2", "quantity": 1}],
        }
    ]

    in_transit = client.post(
        "/api/v1/orders/A-1001/shipments",
        json={
            "external_id": "S1",
            "status": "in_transit",
            "shipped_at": "2025-03-02T18:00:00+09:00",
        },
        headers=integration,
    )
    assert in_transit.status_code == 200

    delivered = client.post(
        "/api/v1/orders/A-1001/shipments",
        json={
            "external_id": "S1",
            "status": "delivered",
            "delivered_at": "2025-03-03T11:20:00+09:00",
        },
        headers=integration,
    )
    assert delivered.status_code == 200

    [shipment] = client.get("/api/v1/orders/A-1001", headers=integration).json["shipments"]
    assert shipment == {
        "external_id": "S1",
        "carrier": "sagawa",
        "tracking_number": "4000-1111-2222",
        "status": "delivered",
        "shipped_at": "2025-03-02T09:00:00+00:00",
        "delivered_at": "2025-03-03T02:20:00+00:00",
        "lines": [{"line_id": "L1", "quantity": 2}, {"line_id": "L2", "quantity": 1}],
    }


def test_shipment_update_without_a_status_keeps_the_status(
    client: FlaskClient, integration: dict[str, str]
) -> None:
    put_order(client, integration, "A-1001", jpy_order())

    response = client.post(
        "/api/v1/orders/A-1001/shipments",
        json={"external_id": "S1", "tracking_number": "9999-0000-1111"},
        headers=integration,
    )

    assert response.status_code == 200
    [shipment] = response.json["shipments"]
    assert (shipment["status"], shipment["tracking_number"], shipment["carrier"]) == (
        "in_transit",
        "9999-0000-1111",
        "yamato",
    )


def test_a_new_shipment_without_a_status_is_pending(
    client: FlaskClient, integration: dict[str, str]
) -> None:
    put_order(client, integration, "A-1001", jpy_order())

    response = client.post(
        "/api/v1/orders/A-1001/shipments", json={"external_id": "S2"}, headers=integration
    )

    assert response.status_code == 200
    assert [(s["external_id"], s["status"]) for s in response.json["shipments"]] == [
        ("S1", "in_transit"),
        ("S2", "pending"),
    ]


def test_get_unknown_order_is_404(client: FlaskClient, integration: dict[str, str]) -> None:
    response = client.get("/api/v1/orders/nope", headers=integration)
    assert response.status_code == 404
    assert response.json["message"] == "no order with external id 'nope'"


def test_post_shipment_for_unknown_order_is_404(
    client: FlaskClient, integration: dict[str, str], count_rows: CountRows
) -> None:
    response = client.post(
        "/api/v1/orders/nope/shipments", json={"external_id": "S1"}, headers=integration
    )
    assert response.status_code == 404
    assert response.json["message"] == "no order with external id 'nope'"
    assert count_rows() == NOTHING


def test_post_shipment_with_unknown_line_names_it_and_writes_nothing(
    client: FlaskClient, integration: dict[str, str], count_rows: CountRows
) -> None:
    put_order(client, integration, "A-1001", jpy_order())

    response = client.post(
        "/api/v1/orders/A-1001/shipments",
        json={"external_id": "S2", "lines": [{"line_id": "L9", "quantity": 1}]},
        headers=integration,
    )

    assert response.status_code == 404
    assert response.json["errors"] == {"json": {"lines": ["order A-1001 has no line 'L9'"]}}
    assert count_rows()["shipments"] == 1


def test_put_without_token_is_401(client: FlaskClient, count_rows: CountRows) -> None:
    response = client.put("/api/v1/orders/A-1001", json=jpy_order())
    assert response.status_code == 401
    assert response.json["message"] == "an Authorization: Bearer <token> header is required"
    assert count_rows() == NOTHING


def test_put_with_bad_token_is_401(
    client: FlaskClient, integration: dict[str, str], count_rows: CountRows
) -> None:
    response = client.put(
        "/api/v1/orders/A-1001",
        json=jpy_order(),
        headers={"Authorization": integration["Authorization"] + "x"},
    )
    assert response.status_code == 401
    assert response.json["message"] == "the token is not valid"
    assert count_rows() == NOTHING


def test_get_without_token_is_401(client: FlaskClient, integration: dict[str, str]) -> None:
    put_order(client, integration, "A-1001", jpy_order())
    assert client.get("/api/v1/orders/A-1001").status_code == 401


def test_put_with_warehouse_token_is_403(
    client: FlaskClient, token_for: TokenFor, count_rows: CountRows
) -> None:
    response = put_order(client, token_for(Role.WAREHOUSE), "A-1001", jpy_order())
    assert response.status_code == 403
    assert response.json["message"] == "this needs one of the roles: admin, integration"
    assert count_rows() == NOTHING


def test_auth_is_checked_before_the_body(client: FlaskClient, token_for: TokenFor) -> None:
    # A stranger learns nothing about the expected document from validation errors.
    anonymous = client.put("/api/v1/orders/A-1001", json={"number": 1})
    assert (anonymous.status_code, "errors" in anonymous.json) == (401, False)
    warehouse = put_order(client, token_for(Role.WAREHOUSE), "A-1001", {"number": 1})
    assert (warehouse.status_code, "errors" in warehouse.json) == (403, False)
    shipment = client.post("/api/v1/orders/A-1001/shipments", json={})
    assert shipment.status_code == 401


def test_warehouse_and_agent_tokens_may_read(
    client: FlaskClient, integration: dict[str, str], token_for: TokenFor
) -> None:
    put_order(client, integration, "A-1001", jpy_order())
    assert client.get("/api/v1/orders/A-1001", headers=token_for(Role.WAREHOUSE)).status_code == 200
    assert client.get("/api/v1/orders/A-1001", headers=token_for(Role.AGENT)).status_code == 200


def _without_number(document: dict[str, Any]) -> None:
    del document["number"]


def _zero_quantity(document: dict[str, Any]) -> None:
    document["lines"][0]["quantity"] = 0


def _string_quantity(document: dict[str, Any]) -> None:
    document["lines"][1]["quantity"] = "2"


def _naive_placed_at(document: dict[str, Any]) -> None:
    document["placed_at"] = "2025-03-01T10:00:00"


def _line_in_dollars(document: dict[str, Any]) -> None:
    document["lines"][1]["unit_price"] = usd(1840)


def _shipment_of_unknown_line(document: dict[str, Any]) -> None:
    document["shipments"][0]["lines"] = [
        {"line_id": "L1", "quantity": 1},
        {"line_id": "L7", "quantity": 1},
        {"line_id": "L8", "quantity": 1},
    ]


def _duplicate_line_ids(document: dict[str, Any]) -> None:
    document["lines"][1]["external_id"] = "L1"
    document["shipments"] = []


def _no_way_to_reach_the_customer(document: dict[str, Any]) -> None:
    document["customer"] = {"name": "山田 花子"}


@pytest.mark.parametrize(
    ("spoil", "errors"),
    [
        (_without_number, {"number": ["Missing data for required field."]}),
        (_zero_quantity, {"lines": {"0": {"quantity": ["Must be greater than or equal to 1."]}}}),
        (_string_quantity, {"lines": {"1": {"quantity": ["Not a valid integer."]}}}),
        (_naive_placed_at, {"placed_at": ["Not a valid aware datetime."]}),
        (
            _line_in_dollars,
            {"lines": {"1": {"unit_price": {"currency": ["must be the order's currency JPY"]}}}},
        ),
        (
            _shipment_of_unknown_line,
            {
                "shipments": {
                    "0": {
                        "lines": {
                            "1": {"line_id": ["no line 'L7'"]},
                            "2": {"line_id": ["no line 'L8'"]},
                        }
                    }
                }
            },
        ),
        (_duplicate_line_ids, {"lines": {"_schema": ["line external_id 'L1' appears twice"]}}),
        (
            _no_way_to_reach_the_customer,
            {"customer": {"email": ["an e-mail address or a phone number is required"]}},
        ),
    ],
    ids=[
        "missing-number",
        "quantity-0",
        "quantity-string",
        "naive-placed-at",
        "line-currency",
        "shipment-unknown-line",
        "duplicate-line-ids",
        "no-email-nor-phone",
    ],
)
def test_bad_document_is_422_naming_the_field_and_writes_nothing(
    client: FlaskClient,
    integration: dict[str, str],
    count_rows: CountRows,
    spoil: Callable[[dict[str, Any]], None],
    errors: dict[str, Any],
) -> None:
    document = copy.deepcopy(jpy_order())
    spoil(document)

    response = put_order(client, integration, "A-1001", document)

    assert response.status_code == 422
    assert response.json["errors"] == {"json": errors}
    assert count_rows() == NOTHING


def test_bad_replacement_leaves_the_stored_order_as_it_was(
    client: FlaskClient, integration: dict[str, str]
) -> None:
    put_order(client, integration, "A-1001", jpy_order())
    before = client.get("/api/v1/orders/A-1001", headers=integration).json
    document = jpy_order()
    document["updated_at"] = "2025-03-05T00:00:00+09:00"
    document["number"] = "#CHANGED"
    document["lines"][0]["quantity"] = 0

    assert put_order(client, integration, "A-1001", document).status_code == 422
    assert client.get("/api/v1/orders/A-1001", headers=integration).json == before


def test_older_update_is_ignored(client: FlaskClient, integration: dict[str, str]) -> None:
    put_order(client, integration, "A-1001", jpy_order())
    older = jpy_order()
    older["updated_at"] = "2025-03-01T09:00:00+09:00"
    older["financial_status"] = "refunded"

    assert put_order(client, integration, "A-1001", older).status_code == 200
    body = client.get("/api/v1/orders/A-1001", headers=integration).json
    assert body["financial_status"] == "paid"


def test_putting_an_order_reads_and_writes_each_table_once_however_many_parcels(
    app: Flask, client: FlaskClient, integration: dict[str, str]
) -> None:
    put_order(client, integration, "WARM", jpy_order())  # the token's last use is noted once
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

    # The token, the lock, the order; the customer (by external id, by e-mail, inserted);
    # one insert per table (order, lines, parcels, their lines, the event); and the
    # cancellations the guards hold the order to.
    assert created == {1: 12, 3: 12}, created
    # The token, the lock, the order, its lines, its parcels, their lines, the customer;
    # the parcel lines replaced (an insert, a delete), the event, the cancellations.
    assert replaced == {1: 11, 3: 11}, replaced
