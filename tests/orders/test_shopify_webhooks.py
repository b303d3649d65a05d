"""Shopify webhooks: real order payloads ingested, signatures, replays and stale deliveries.

Expected values were worked out by hand from the fixture files: amounts in the shop's
currency (``currency`` and the plain price strings) converted to minor units.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from returns_service.auth.models import Role
from returns_service.orders.shopify import verify_hmac

SharedJson = Callable[[str], Any]
CountRows = Callable[[], dict[str, int]]
NOTHING = {"orders": 0, "order_lines": 0, "shipments": 0, "customers": 0}

AUTHORIZED = "shopify_python_api__order_authorized_with_fulfillment.json"
PARTIALLY_REFUNDED_LIST = "shopify_python_api__orders_list_partially_refunded.json"
PARTIALLY_REFUNDED = (
    "shopify_api_js_2024-04__order_get_partially_refunded_with_fulfillment_and_refund.json"
)
AUTHORIZED_LIST = "shopify_api_js_2024-04__orders_list_financial_status_authorized.json"
CREATED_EUR = "shopify_api_js_2024-04__order_create_EUR__request_response.json"
CREATED_FULFILLED = (
    "shopify_api_js_2024-04__order_create_fulfilled_with_fulfillment__request_response.json"
)
MULTICURRENCY = (
    "webhookdb__shopify_order_docs_example_multicurrency_USD_CAD_EUR_partial_fulfillment.json"
)
FULFILLMENT_PENDING = "shopify_python_api__fulfillment_pending_with_tracking.json"
FULFILLMENT_EVENTS = "go_shopify__fulfillment_events.json"
FULFILLMENT_EVENT_LABEL = "shopify_python_api__fulfillment_event_label_printed.json"
SIGNATURE_VECTORS = "webhook_signature_test_vectors__shopify_hmac_and_stripe.json"


def sign(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


@pytest.fixture
def deliver(client: FlaskClient, shopify_secret: str) -> Callable[..., Any]:
    """POST a webhook delivery as Shopify does: raw JSON body, signature, topic and id."""

    def post(
        topic: str,
        payload: Any = None,
        *,
        body: bytes | None = None,
        webhook_id: str | None = None,
        signature: str | None = None,
    ) -> Any:
        if body is None:
            body = json.dumps(payload, ensure_ascii=False).encode()
        headers = {
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": sign(body, shopify_secret) if signature is None else signature,
            "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
            "X-Shopify-Shop-Domain": "returns-demo.myshopify.com",
            "X-Shopify-API-Version": "2024-04",
        }
        if not headers["X-Shopify-Hmac-Sha256"]:
            del headers["X-Shopify-Hmac-Sha256"]
        return client.post(
            "/webhooks/shopify", data=body, headers=headers, content_type="application/json"
        )

    return post


@pytest.fixture
def read_order(client: FlaskClient, token_for: Callable[[Role], dict[str, str]]) -> Any:
    """GET an order through the API and boil it down to what ingestion decides."""
    headers = token_for(Role.AGENT)

    def read(external_id: str) -> dict[str, Any] | None:
        response = client.get(f"/api/v1/orders/{external_id}", headers=headers)
        if response.status_code == 404:
            return None
        assert response.status_code == 200, response.json
        body = response.json
        currency = body["currency"]
        for name in ("total", "shipping", "discount", "refunded"):
            assert body[name]["currency"] == currency
        return {
            "number": body["number"],
            "placed_at": body["placed_at"],
            "currency": currency,
            "financial_status": body["financial_status"],
            "fulfillment_status": body["fulfillment_status"],
            "source": body["source"],
            "payment": body["payment"],
            "cancelled_at": body["cancelled_at"],
            "total": body["total"]["amount"],
            "shipping": body["shipping"]["amount"],
            "discount": body["discount"]["amount"],
            "refunded": body["refunded"]["amount"],
            "customer": (body["customer"]["external_id"], body["customer"]["email"]),
            "country": body["shipping_address"].get("country"),
            "lines": [
                (
                    line["external_id"],
                    line["sku"],
                    line["title"],
                    line["quantity"],
                    line["unit_price"]["amount"],
                    line["discount"]["amount"],
                )
                for line in body["lines"]
            ],
            "shipments": [
                {key: shipment[key] for key in ("external_id", "carrier", "tracking_number")}
                | {"status": shipment["status"], "lines": shipment["lines"]}
                for shipment in body["shipments"]
            ],
        }

    return read


def ipod_lines(green: int, red: int, black: int) -> list[tuple[str, str, str, int, int, int]]:
    """The three iPod lines of Shopify's documentation order #1001, with their discounts."""
    return [
        ("466157049", "IPOD2008GREEN", "IPod Nano - 8gb - green", 1, 19900, green),
        ("518995019", "IPOD2008RED", "IPod Nano - 8gb - red", 1, 19900, red),
        ("703073504", "IPOD2008BLACK", "IPod Nano - 8gb - black", 1, 19900, black),
    ]


def test_order_authorized_with_failed_fulfillment(
    deliver: Any, read_order: Any, shared_json: SharedJson
) -> None:
    payload = shared_json(AUTHORIZED)  # wrapped as {"order": {...}}, which is accepted too

    response = deliver("orders/create", payload)

    assert response.status_code == 200, response.json
    assert response.json == {"status": "created", "topic": "orders/create"}
    assert read_order("450789469") == {
        "number": "#1001",
        "placed_at": "2008-01-10T16:00:00+00:00",
        "currency": "USD",
        "financial_status": "authorized",
        # The only fulfillment has status "failure": nothing left the warehouse.
        "fulfillment_status": "unfulfilled",
        "source": "shopify",
        "payment": {"provider": "shopify", "reference": "450789469", "method": "authorize_net"},
        "cancelled_at": None,
        "total": 40994,
        "shipping": 0,
        "discount": 0,
        "refunded": 0,
        "customer": ("shopify:207119551", "bob.norman@hostmail.com"),
        "country": "US",
        "lines": ipod_lines(0, 0, 0),
        "shipments": [],
    }


def test_orders_list_partially_refunded_without_line_items_is_refused(
    deliver: Any, read_order: Any, shared_json: SharedJson, count_rows: CountRows
) -> None:
    # The list fixture's order carries no line_items at all: there is nothing to return or
    # cancel, so it cannot be an order of ours.
    orders = shared_json(PARTIALLY_REFUNDED_LIST)["orders"]
    assert [order["id"] for order in orders] == [450789469]

    for order in orders:
        response = deliver("orders/updated", order)
        assert response.status_code == 422
        assert response.json["errors"] == {"json": {"lines": ["Shorter than minimum length 1."]}}
    assert count_rows() == NOTHING


def test_orders_list_partially_refunded_with_its_line_items(
    deliver: Any, read_order: Any, shared_json: SharedJson
) -> None:
    # The same order with the line items Shopify's docs give it elsewhere: everything the
    # list fixture itself says (totals, refund status, contact) is taken from it.
    [order] = shared_json(PARTIALLY_REFUNDED_LIST)["orders"]
    order["line_items"] = shared_json(AUTHORIZED)["order"]["line_items"]

    assert deliver("orders/updated", order).json == {
        "status": "created",
        "topic": "orders/updated",
    }

    summary = read_order("450789469")
    assert summary["financial_status"] == "partially_refunded"
    assert (summary["total"], summary["shipping"], summary["discount"]) == (59894, 0, 1000)
    assert summary["refunded"] == 0  # the list carries no refunds
    assert summary["payment"] == {
        "provider": "shopify",
        "reference": "450789469",
        "method": "bogus",
    }
    assert summary["customer"] == ("shopify:207119551", "bob.norman@hostmail.com")
    assert summary["lines"] == ipod_lines(0, 0, 0)


def test_order_partially_refunded_with_fulfillment_and_refund(
    deliver: Any, read_order: Any, shared_json: SharedJson
) -> None:
    payload = shared_json(PARTIALLY_REFUNDED)["order"]

    assert deliver("orders/updated", payload).status_code == 200

    assert read_order("450789469") == {
        "number": "#1001",
        "placed_at": "2008-01-10T16:00:00+00:00",
        "currency": "USD",
        "financial_status": "partially_refunded",
        "fulfillment_status": "unfulfilled",
        "source": "shopify",
        "payment": {"provider": "shopify", "reference": "450789469", "method": "bogus"},
        "cancelled_at": None,
        "total": 59894,
        "shipping": 0,
        "discount": 1000,
        # One refund with one successful refund transaction of 209.00.
        "refunded": 20900,
        "customer": ("shopify:207119551", "bob.norman@mail.example.com"),
        "country": "US",
        # TENOFF's 10.00 allocated 3.34 + 3.33 + 3.33 across the lines.
        "lines": ipod_lines(334, 333, 333),
        "shipments": [],
    }


def test_orders_list_financial_status_authorized(
    deliver: Any, read_order: Any, shared_json: SharedJson
) -> None:
    orders = shared_json(AUTHORIZED_LIST)["orders"]
    assert len(orders) == 1

    for order in orders:
        assert deliver("orders/create", order).status_code == 200

    summary = read_order("450789469")
    assert summary["financial_status"] == "authorized"
    assert (summary["total"], summary["discount"], summary["refunded"]) == (59894, 1000, 20900)
    assert summary["lines"] == ipod_lines(334, 333, 333)
    assert summary["shipments"] == []


def test_order_created_in_euros_without_any_contact_is_refused(
    deliver: Any, shared_json: SharedJson, count_rows: CountRows
) -> None:
    # Created through the Admin API with no customer, e-mail or phone: a customer could
    # never find this order, and no mail could reach them.
    order = shared_json(CREATED_EUR)["response"]["order"]

    response = deliver("orders/create", order)

    assert response.status_code == 422
    assert response.json["errors"] == {
        "json": {"customer": {"email": ["an e-mail address or a phone number is required"]}}
    }
    assert count_rows() == NOTHING


def test_order_created_in_euros(deliver: Any, read_order: Any, shared_json: SharedJson) -> None:
    order = shared_json(CREATED_EUR)["response"]["order"]
    order["contact_email"] = "eu.buyer@example.com"  # the one thing the fixture lacks

    assert deliver("orders/create", order).json == {"status": "created", "topic": "orders/create"}

    assert read_order("1073459975") == {
        "number": "#1002",
        "placed_at": "2024-04-02T14:04:31+00:00",
        "currency": "EUR",
        "financial_status": "paid",
        "fulfillment_status": "unfulfilled",
        "source": "shopify",
        "payment": {"provider": "shopify", "reference": "1073459975", "method": ""},
        "cancelled_at": None,
        "total": 23847,
        "shipping": 0,
        "discount": 0,
        "refunded": 0,
        "customer": (None, "eu.buyer@example.com"),
        "country": None,
        # A custom line: no SKU, no product; 3 x 74.99 EUR.
        "lines": [("1071823207", "", "Big Brown Bear Boots", 3, 7499, 0)],
        "shipments": [],
    }


def test_order_created_fulfilled_with_fulfillment(
    deliver: Any, read_order: Any, shared_json: SharedJson
) -> None:
    order = shared_json(CREATED_FULFILLED)["response"]["order"]

    assert deliver("orders/fulfilled", order).status_code == 200

    assert read_order("1073459965") == {
        "number": "#1002",
        "placed_at": "2024-04-02T14:03:44+00:00",
        "currency": "USD",
        "financial_status": "paid",
        "fulfillment_status": "shipped",
        "source": "shopify",
        "payment": {"provider": "shopify", "reference": "1073459965", "method": None},
        "cancelled_at": None,
        "total": 19900,
        "shipping": 0,
        "discount": 0,
        "refunded": 0,
        "customer": ("shopify:1073339460", "foo@example.com"),
        "country": None,
        "lines": [("1071823195", "IPOD2009BLACK", "IPod Touch 8GB - Black", 1, 19900, 0)],
        # Fulfillment "success" with no carrier news yet: on its way, no tracking number.
        "shipments": [
            {
                "external_id": "1069019890",
                "carrier": "",
                "tracking_number": None,
                "status": "in_transit",
                "lines": [{"line_id": "1071823195", "quantity": 1}],
            }
        ],
    }


def test_order_with_a_pending_fulfillment_is_not_shipped(
    deliver: Any, read_order: Any, shared_json: SharedJson
) -> None:
    # Shopify waits for the fulfillment service: the parcel has not left, so the order
    # can still be cancelled outright. The fulfillments topic decides the same way.
    order = shared_json(AUTHORIZED)["order"]
    order["fulfillments"] = [shared_json(FULFILLMENT_PENDING)["fulfillment"]]

    assert deliver("orders/updated", order).status_code == 200

    summary = read_order("450789469")
    assert summary["fulfillment_status"] == "unfulfilled"
    assert summary["shipments"] == [
        {
            "external_id": "255858046",
            "carrier": "null-company",
            "tracking_number": "1Z2345",
            "status": "pending",
            "lines": [{"line_id": "466157049", "quantity": 1}],
        }
    ]


def test_multicurrency_docs_order_uses_shop_currency(
    deliver: Any, read_order: Any, shared_json: SharedJson
) -> None:
    order = shared_json(MULTICURRENCY)

    assert deliver("orders/updated", order).status_code == 200

    assert read_order("450789469") == {
        "number": "#1001",
        "placed_at": "2008-01-10T16:00:00+00:00",
        "currency": "USD",
        "financial_status": "authorized",
        "fulfillment_status": "unfulfilled",
        "source": "shopify",
        "payment": {"provider": "shopify", "reference": "450789469", "method": "authorize_net"},
        "cancelled_at": None,
        "total": 40994,
        # total_shipping_price_set's shop money is in the shop's currency: 30.00 USD.
        "shipping": 3000,
        "discount": 0,
        # Its one refund has no transactions.
        "refunded": 0,
        "customer": ("shopify:207119551", "bob.norman@hostmail.com"),
        "country": "CA",
        # 199.99 USD (not the 173.30 EUR presented), 5.00 USD discount allocated.
        "lines": [("669751112", "IPOD-342-N", "IPod Nano - Pink", 1, 19999, 500)],
        "shipments": [],
    }


@pytest.fixture
def known_order(deliver: Any, shared_json: SharedJson) -> dict[str, Any]:
    """Order #1001 as Shopify's docs give it, ingested, with no shipment yet."""
    order = shared_json(AUTHORIZED)["order"]
    assert deliver("orders/create", order).status_code == 200
    return order


def test_fulfillment_pending_then_in_transit_then_delivered(
    deliver: Any, read_order: Any, shared_json: SharedJson, known_order: dict[str, Any]
) -> None:
    pending = shared_json(FULFILLMENT_PENDING)["fulfillment"]
    assert pending["order_id"] == known_order["id"]

    created = deliver("fulfillments/create", pending)

    assert created.json == {"status": "updated", "topic": "fulfillments/create"}
    summary = read_order("450789469")
    assert summary["fulfillment_status"] == "unfulfilled"
    assert summary["shipments"] == [
        {
            "external_id": "255858046",
            "carrier": "null-company",
            "tracking_number": "1Z2345",
            "status": "pending",
            "lines": [{"line_id": "466157049", "quantity": 1}],
        }
    ]

    # The carrier's scan as go-shopify records it, applied to the same fulfillment.
    [event] = shared_json(FULFILLMENT_EVENTS)["fulfillment_events"]
    assert event["fulfillment_id"] == pending["id"]
    in_transit = dict(pending, status="success", shipment_status=event["status"])
    in_transit["updated_at"] = event["happened_at"]
    assert deliver("fulfillments/update", in_transit).json["status"] == "updated"

    summary = read_order("450789469")
    assert summary["fulfillment_status"] == "shipped"
    assert [(s["status"], s["tracking_number"]) for s in summary["shipments"]] == [
        ("in_transit", "1Z2345")
    ]

    delivered = dict(in_transit, shipment_status="delivered")
    delivered["updated_at"] = "2023-10-22T10:15:00-04:00"
    assert deliver("fulfillments/update", delivered).json["status"] == "updated"

    assert [s["status"] for s in read_order("450789469")["shipments"]] == ["delivered"]


def test_fulfillment_delivered_at_is_the_fulfillments_update_time(
    client: FlaskClient,
    deliver: Any,
    shared_json: SharedJson,
    known_order: dict[str, Any],
    token_for: Callable[[Role], dict[str, str]],
) -> None:
    fulfillment = dict(
        shared_json(FULFILLMENT_PENDING)["fulfillment"],
        status="success",
        shipment_status="delivered",
        updated_at="2023-10-22T10:15:00-04:00",
    )

    assert deliver("fulfillments/update", fulfillment).status_code == 200

    body = client.get("/api/v1/orders/450789469", headers=token_for(Role.AGENT)).json
    [shipment] = body["shipments"]
    assert (shipment["shipped_at"], shipment["delivered_at"]) == (
        "2013-11-01T20:06:08+00:00",
        "2023-10-22T14:15:00+00:00",
    )


@pytest.mark.parametrize(
    ("shipment_status", "expected"),
    [
        ("label_printed", "label_created"),
        ("confirmed", "label_created"),
        ("in_transit", "in_transit"),
        ("out_for_delivery", "out_for_delivery"),
        ("attempted_delivery", "exception"),
        ("delivered", "delivered"),
        ("failure", "exception"),
    ],
)
def test_fulfillment_shipment_status_is_normalised(
    deliver: Any,
    read_order: Any,
    shared_json: SharedJson,
    known_order: dict[str, Any],
    shipment_status: str,
    expected: str,
) -> None:
    fulfillment = dict(
        shared_json(FULFILLMENT_PENDING)["fulfillment"],
        status="success",
        shipment_status=shipment_status,
    )

    assert deliver("fulfillments/update", fulfillment).status_code == 200

    assert [s["status"] for s in read_order("450789469")["shipments"]] == [expected]


def test_label_printed_event_status_maps_to_label_created(
    deliver: Any, read_order: Any, shared_json: SharedJson, known_order: dict[str, Any]
) -> None:
    event = shared_json(FULFILLMENT_EVENT_LABEL)["fulfillment_event"]
    fulfillment = dict(
        shared_json(FULFILLMENT_PENDING)["fulfillment"],
        status="open",
        shipment_status=event["status"],
    )

    assert deliver("fulfillments/create", fulfillment).status_code == 200

    summary = read_order("450789469")
    assert [s["status"] for s in summary["shipments"]] == ["label_created"]
    assert summary["fulfillment_status"] == "shipped"


def test_fulfillment_for_an_unknown_order_is_ignored(
    deliver: Any, shared_json: SharedJson, count_rows: CountRows
) -> None:
    response = deliver("fulfillments/create", shared_json(FULFILLMENT_PENDING)["fulfillment"])

    assert response.json == {"status": "ignored", "topic": "fulfillments/create"}
    assert count_rows() == NOTHING


def test_cancelled_fulfillment_adds_no_shipment(
    deliver: Any, read_order: Any, shared_json: SharedJson, known_order: dict[str, Any]
) -> None:
    fulfillment = dict(shared_json(FULFILLMENT_PENDING)["fulfillment"], status="cancelled")

    assert deliver("fulfillments/update", fulfillment).json["status"] == "ignored"
    assert read_order("450789469")["shipments"] == []


def test_shopify_signature_vectors(shared_json: SharedJson) -> None:
    vectors = {v["id"]: v for v in shared_json(SIGNATURE_VECTORS)["shopify_vectors"]}
    positive = vectors["sqlpage-shopify-base64"]
    negative = vectors["webhookdb-shopify-negative"]

    assert positive["expect_valid"] is True
    assert verify_hmac(
        positive["secret"], positive["body"].encode(), positive["expected_x_shopify_hmac_sha256"]
    )
    # Changing one byte of the body breaks it.
    assert not verify_hmac(
        positive["secret"],
        positive["body"].replace("123.45", "123.46").encode(),
        positive["expected_x_shopify_hmac_sha256"],
    )
    assert negative["expect_valid"] is False
    assert not verify_hmac(negative["secret"], negative["body"].encode(), negative["header_value"])
    # The right digest for it is accepted, base64 only.
    assert verify_hmac(negative["secret"], negative["body"].encode(), negative["recomputed_base64"])


def test_verify_hmac_refuses_an_empty_secret_or_header() -> None:
    body = b'{"id":1}'
    assert not verify_hmac("", body, sign(body, ""))
    assert not verify_hmac("secret", body, None)
    assert not verify_hmac("secret", body, "")


def test_vector_body_delivered_with_its_published_signature(
    deliver: Any, shared_json: SharedJson, shopify_secret: str
) -> None:
    # The published vector happens to use our test secret: its header is accepted as is.
    [positive] = [v for v in shared_json(SIGNATURE_VECTORS)["shopify_vectors"] if v["expect_valid"]]
    assert positive["secret"] == shopify_secret

    response = deliver(
        "shop/update",
        body=positive["body"].encode(),
        signature=positive["expected_x_shopify_hmac_sha256"],
    )

    assert response.status_code == 200
    assert response.json == {"status": "ignored", "topic": "shop/update"}


def test_bad_signature_is_401_and_writes_nothing(
    deliver: Any, shared_json: SharedJson, count_rows: CountRows
) -> None:
    order = shared_json(AUTHORIZED)["order"]
    body = json.dumps(order).encode()

    response = deliver("orders/create", body=body, signature=sign(body, "another-secret"))

    assert response.status_code == 401
    assert response.json["message"] == (
        "the X-Shopify-Hmac-Sha256 signature does not match the body"
    )
    assert count_rows() == NOTHING


def test_signature_of_another_body_is_401(
    deliver: Any, shared_json: SharedJson, shopify_secret: str, count_rows: CountRows
) -> None:
    order = shared_json(AUTHORIZED)["order"]
    signed = json.dumps(order).encode()
    tampered = json.dumps(dict(order, total_price="0.01")).encode()

    response = deliver("orders/create", body=tampered, signature=sign(signed, shopify_secret))

    assert response.status_code == 401
    assert count_rows() == NOTHING


def test_missing_signature_is_401(
    deliver: Any, shared_json: SharedJson, count_rows: CountRows
) -> None:
    response = deliver("orders/create", shared_json(AUTHORIZED)["order"], signature="")

    assert response.status_code == 401
    assert count_rows() == NOTHING


def test_unknown_topic_is_acknowledged_and_ignored(
    deliver: Any, shared_json: SharedJson, count_rows: CountRows
) -> None:
    response = deliver("customers/update", shared_json(AUTHORIZED)["order"]["customer"])

    assert response.status_code == 200
    assert response.json == {"status": "ignored", "topic": "customers/update"}
    assert count_rows() == NOTHING


def test_body_that_is_not_json_is_422(deliver: Any, count_rows: CountRows) -> None:
    response = deliver("orders/create", body=b'{"id": 450789469, "line_items": [')

    assert response.status_code == 422
    assert response.json["message"].startswith("the body is not JSON: ")
    assert count_rows() == NOTHING


def test_json_that_is_not_an_object_is_422(deliver: Any) -> None:
    response = deliver("orders/create", [1, 2, 3])

    assert response.status_code == 422
    assert response.json["message"] == "the body must be a JSON object"


def test_line_without_a_price_is_422_and_writes_nothing(
    deliver: Any, shared_json: SharedJson, count_rows: CountRows
) -> None:
    order = shared_json(AUTHORIZED)["order"]
    del order["line_items"][1]["price"]

    response = deliver("orders/create", order)

    assert response.status_code == 422
    assert response.json["message"] == "the payload is missing or has a bad field: 'price'"
    assert count_rows() == NOTHING


def test_price_that_is_not_a_number_is_422(
    deliver: Any, shared_json: SharedJson, count_rows: CountRows
) -> None:
    order = shared_json(AUTHORIZED)["order"]
    order["line_items"][0]["price"] = "one hundred"

    response = deliver("orders/create", order)

    assert response.status_code == 422
    assert response.json["message"] == (
        "the payload is missing or has a bad field: 'one hundred' is not an amount of money"
    )
    assert count_rows() == NOTHING


@pytest.mark.parametrize("price", ["1e40", "99999999999999999999"])
def test_price_too_large_to_store_is_422(
    deliver: Any, shared_json: SharedJson, count_rows: CountRows, price: str
) -> None:
    order = shared_json(AUTHORIZED)["order"]
    order["line_items"][0]["price"] = price

    response = deliver("orders/create", order)

    assert response.status_code == 422
    assert response.json["message"] == (
        f"the payload is missing or has a bad field: {price!r} is not an amount of money"
    )
    assert count_rows() == NOTHING


def test_bad_field_is_422_naming_it_and_writes_nothing(
    deliver: Any, shared_json: SharedJson, count_rows: CountRows
) -> None:
    order = shared_json(AUTHORIZED)["order"]
    order["line_items"][2]["quantity"] = "1"

    response = deliver("orders/create", order)

    assert response.status_code == 422
    assert response.json["errors"] == {
        "json": {"lines": {"2": {"quantity": ["Not a valid integer."]}}}
    }
    assert count_rows() == NOTHING


def test_order_without_id_is_422(
    deliver: Any, shared_json: SharedJson, count_rows: CountRows
) -> None:
    order = shared_json(AUTHORIZED)["order"]
    del order["id"]

    response = deliver("orders/create", order)

    assert response.status_code == 422
    assert response.json["message"] == "the payload is missing or has a bad field: 'id'"
    assert count_rows() == NOTHING


def test_replayed_delivery_changes_nothing(
    deliver: Any, read_order: Any, shared_json: SharedJson
) -> None:
    order = shared_json(AUTHORIZED)["order"]
    assert deliver("orders/create", order, webhook_id="delivery-1").status_code == 200
    before = read_order("450789469")

    changed = copy.deepcopy(order)
    changed["financial_status"] = "paid"
    changed["updated_at"] = "2008-01-11T09:00:00-05:00"
    changed["line_items"][0]["quantity"] = 5
    replay = deliver("orders/updated", changed, webhook_id="delivery-1")

    assert replay.status_code == 200
    assert replay.json == {"status": "duplicate"}
    assert read_order("450789469") == before

    # The same change under a new delivery id is applied.
    fresh = deliver("orders/updated", changed, webhook_id="delivery-2")
    assert fresh.json == {"status": "updated", "topic": "orders/updated"}
    after = read_order("450789469")
    assert (after["financial_status"], after["lines"][0][3]) == ("paid", 5)


def test_older_update_after_a_newer_one_changes_nothing(
    deliver: Any, read_order: Any, shared_json: SharedJson
) -> None:
    [newer] = shared_json(AUTHORIZED_LIST)["orders"]  # updated_at 2024-04-02T09:04:19-05:00
    older = shared_json(PARTIALLY_REFUNDED)["order"]  # updated_at 2008-01-10T11:00:00-05:00
    assert newer["id"] == older["id"]

    assert deliver("orders/updated", newer).json["status"] == "created"
    before = read_order("450789469")

    response = deliver("orders/updated", older)

    assert response.status_code == 200
    assert response.json == {"status": "stale", "topic": "orders/updated"}
    assert read_order("450789469") == before
    assert before["financial_status"] == "authorized"


def test_refused_delivery_can_be_sent_again_once_fixed(
    deliver: Any, read_order: Any, shared_json: SharedJson
) -> None:
    # A refused delivery is not recorded as received: Shopify's retry is applied.
    order = shared_json(AUTHORIZED)["order"]
    broken = copy.deepcopy(order)
    del broken["line_items"][0]["price"]
    assert deliver("orders/create", broken, webhook_id="delivery-9").status_code == 422

    retry = deliver("orders/create", order, webhook_id="delivery-9")

    assert retry.json == {"status": "created", "topic": "orders/create"}
    assert read_order("450789469")["lines"] == ipod_lines(0, 0, 0)
