"""POST an order's shipments: a parcel added, moved along and delivered, and the refusals
for an unknown order or line."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.orders.order_api import jpy_order, put_order
from tests.orders.shopify import NOTHING, CountRows


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
