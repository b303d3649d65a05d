"""Every way an order changes refuses a parcel that carries units cancelled and refunded.

The order API, bulk import and carrier pushes go through the same order use case as
Shopify's webhooks (tested with them in tests/cancellations/test_shopify_cancellation.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from carriers.status import TrackingStatus
from returns_service.orders.bulk_import import import_file
from returns_service.orders.models import Shipment, ShipmentStatus
from returns_service.orders.numbers import normalise_order_number
from returns_service.shop import shop_settings
from tests.cancellations.conftest import Cancellations, cancellable_document
from tests.shop import SCAN_TIME, Shop


def _cancelled_order(cancellations: Cancellations) -> dict[str, Any]:
    order = cancellations.put_order("6001", number="#6001")
    cancelled = cancellations.cancel(cancellations.customer(order))
    assert cancelled.json["status"] == "cancelled", cancelled.json
    return order


def _shipments(session: Session) -> list[Shipment]:
    session.expire_all()
    return list(session.scalars(select(Shipment)))


def test_the_order_api_refuses_to_ship_a_cancelled_order(
    cancellations: Cancellations, session: Session
) -> None:
    order = _cancelled_order(cancellations)

    shipped = cancellations.ship("6001", order)

    assert shipped.status_code == 409, shipped.json
    assert "recall the parcel" in shipped.json["message"]
    assert _shipments(session) == []


def test_an_order_sent_again_without_its_cancellation_stays_cancelled(
    cancellations: Cancellations, shop: Shop, session: Session
) -> None:
    _cancelled_order(cancellations)

    again = shop.client.put(
        "/api/v1/orders/6001",
        json=cancellable_document(number="#6001"),
        headers=shop.integration,
    )

    assert again.status_code == 200, again.json
    assert again.json["cancelled_at"] is not None


def test_bulk_import_rejects_an_order_that_ships_cancelled_units(
    cancellations: Cancellations, app: Flask, session: Session, tmp_path: Path
) -> None:
    order = _cancelled_order(cancellations)
    document = cancellable_document(number="#6001") | {"external_id": "6001"}
    document["shipments"] = [
        {
            "external_id": "S1",
            "carrier": "yamato",
            "tracking_number": "400011112222",
            "status": "in_transit",
            "lines": [
                {"line_id": line["external_id"], "quantity": line["quantity"]}
                for line in order["lines"]
            ],
        }
    ]
    path = tmp_path / "orders.jsonl"
    path.write_text(json.dumps(document) + "\n", encoding="utf-8")

    report = import_file(session, path, shop_settings(app))

    assert report.loaded == 0
    assert len(report.rejected) == 1
    assert "recall the parcel" in report.rejected[0].reason
    assert _shipments(session) == []


def test_a_carrier_scan_of_a_parcel_with_cancelled_units_is_refused_and_noted(
    cancellations: Cancellations, shop: Shop, session: Session
) -> None:
    order = cancellations.put_order("6001", number="#6001")
    # A label is printed: the parcel is still in the warehouse, which is asked to stop it.
    assert cancellations.ship("6001", order, status="label_created").status_code == 200
    pending = cancellations.cancel(cancellations.customer(order)).json
    assert pending["status"] == "pending_stop", pending
    assert cancellations.answer(pending["id"], stopped=True).json["status"] == "cancelled"

    pushed = shop.carrier_scan("400011112222", TrackingStatus.IN_TRANSIT)

    assert pushed.status_code == 200, pushed.json
    assert pushed.json["status"] == "refused"
    assert [s.status for s in _shipments(session)] == [ShipmentStatus.LABEL_CREATED]
    noted = cancellations.get(pending["id"])["timeline"][-1]
    assert noted["kind"] == "shipment.refused"
    assert noted["actor"] == "carrier:sandbox"


def test_a_carrier_scan_moves_an_outbound_parcel_of_a_live_order(
    cancellations: Cancellations, shop: Shop, session: Session
) -> None:
    order = cancellations.put_order("6001", number="#6001")
    assert cancellations.ship("6001", order, status="in_transit").status_code == 200

    pushed = shop.carrier_scan("400011112222", TrackingStatus.DELIVERED)

    assert pushed.json["status"] == "shipment"
    (shipment,) = _shipments(session)
    assert shipment.status is ShipmentStatus.DELIVERED
    assert shipment.delivered_at == SCAN_TIME


def test_order_numbers_are_read_as_people_type_them() -> None:
    assert normalise_order_number("＃１０２０") == "1020"
    assert normalise_order_number("  #1020 ") == "1020"
    assert normalise_order_number("1020") == "1020"
    assert normalise_order_number("＃　１０２０") == "1020"


def test_staff_find_returns_by_a_full_width_order_number(shop: Shop) -> None:
    order = shop.put_order(number="#1020")
    shop.file(
        shop.customer("#1020"),
        [{"line_id": shop.line_id(order, "L1"), "quantity": 1, "reason": "STYLE"}],
    )

    found = shop.client.get("/api/v1/returns?order_number=＃１０２０", headers=shop.agent)

    assert found.status_code == 200, found.json
    assert [r["order_number"] for r in found.json] == ["#1020"]
