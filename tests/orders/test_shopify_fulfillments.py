"""Shopify fulfillment webhooks: shipments of a known order, their states and times."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from returns_service.auth.models import Role
from tests.orders.shopify import (
    AUTHORIZED,
    FULFILLMENT_EVENT_LABEL,
    FULFILLMENT_EVENTS,
    FULFILLMENT_PENDING,
    NOTHING,
    CountRows,
    SharedJson,
)


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
