"""Shopify order webhooks: real order payloads ingested and read back through the API.

Expected values were worked out by hand from the fixture files: amounts in the shop's
currency (``currency`` and the plain price strings) converted to minor units.
"""

from __future__ import annotations

from typing import Any

from tests.orders.shopify import (
    AUTHORIZED,
    AUTHORIZED_LIST,
    CREATED_EUR,
    CREATED_FULFILLED,
    FULFILLMENT_PENDING,
    MULTICURRENCY,
    NOTHING,
    PARTIALLY_REFUNDED,
    PARTIALLY_REFUNDED_LIST,
    CountRows,
    SharedJson,
    ipod_lines,
)


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
