"""The return parcel at the carrier: labels and pickups booked, tracking moving the return on."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import rules
from carriers.sandbox import SIGNATURE_HEADER, scan_body, sign_scan
from carriers.status import TrackingStatus
from returns_service.auth.models import Role
from returns_service.refunds.models import SandboxRefund
from tests.conftest import SANDBOX_CARRIER_SECRET
from tests.shop import Shop

EASYPOST_DATA = Path(__file__).resolve().parents[1] / "carriers" / "data"


def _scan(
    shop: Shop, tracking_number: str, status: TrackingStatus, secret: str = SANDBOX_CARRIER_SECRET
) -> Any:
    return shop.carrier_scan(tracking_number, status, secret=secret)


def _publish_refund_on_first_scan(shop: Shop, admin: dict[str, str]) -> None:
    document = rules.default_rule_set()
    document["rules"][-1]["action"]["refund_timing"] = "on_first_carrier_scan"
    shop.publish_rules(document, admin)


def test_first_carrier_scan_moves_a_drop_off_return_in_transit_and_refunds_it(
    shop: Shop, token_for: Any, session: Session
) -> None:
    _publish_refund_on_first_scan(shop, token_for(Role.ADMIN))
    order = shop.put_order()
    created = shop.file(
        shop.customer(), [{"line_id": shop.line_id(order, "L1"), "quantity": 1, "reason": "STYLE"}]
    ).json
    assert created["refund_timing"] == "on_first_carrier_scan"
    shop.run_jobs()
    rma = created["rma"]
    tracking = shop.get(rma)["tracking_number"]
    assert tracking and shop.get(rma)["label_url"]

    assert _scan(shop, tracking, TrackingStatus.LABEL_CREATED).json["status"] == "return"
    assert shop.get(rma)["status"] == "awaiting_parcel"
    assert _scan(shop, tracking, TrackingStatus.IN_TRANSIT).status_code == 200
    assert shop.get(rma)["status"] == "in_transit"
    shop.run_jobs()
    assert session.scalar(select(func.count()).select_from(SandboxRefund)) == 1

    _scan(shop, tracking, TrackingStatus.DELIVERED)
    final = shop.get(rma)
    assert final["status"] == "in_transit"  # the warehouse receives it, not the carrier
    kinds = [event["kind"] for event in final["timeline"]]
    assert kinds[-1] == "parcel.delivered_to_warehouse"
    assert kinds.count("parcel.tracking") == 3


def test_a_scan_for_an_outbound_shipment_updates_the_order(shop: Shop) -> None:
    shop.put_order(delivered_days_ago=None)
    shop.client.post(
        "/api/v1/orders/5001/shipments",
        headers=shop.integration,
        json={
            "external_id": "S9",
            "tracking_number": "TRK-OUT-1",
            "status": "in_transit",
        },
    )
    assert _scan(shop, "TRK-OUT-1", TrackingStatus.DELIVERED).json["status"] == "shipment"
    order = shop.client.get("/api/v1/orders/5001", headers=shop.integration).json
    assert order["shipments"][0]["status"] == "delivered"
    assert order["shipments"][0]["delivered_at"] == "2026-12-02T03:00:00+00:00"


def test_pushes_for_another_carrier_or_unknown_parcels_change_nothing(shop: Shop) -> None:
    assert shop.client.post("/webhooks/carriers/easypost", data=b"{}").status_code == 404
    assert _scan(shop, "NOPE", TrackingStatus.IN_TRANSIT).json["status"] == "unknown"
    bad = shop.client.post(
        "/webhooks/carriers/sandbox",
        data=b"not json",
        headers={SIGNATURE_HEADER: sign_scan(SANDBOX_CARRIER_SECRET, b"not json")},
    )
    assert bad.status_code == 422


def test_unsigned_or_forged_scans_move_nothing_and_refund_nothing(
    app: Flask, shop: Shop, token_for: Any, session: Session
) -> None:
    _publish_refund_on_first_scan(shop, token_for(Role.ADMIN))
    order = shop.put_order()
    rma = shop.file(
        shop.customer(), [{"line_id": shop.line_id(order, "L1"), "quantity": 1, "reason": "STYLE"}]
    ).json["rma"]
    shop.run_jobs()
    tracking = shop.get(rma)["tracking_number"]
    body = scan_body(tracking, TrackingStatus.IN_TRANSIT, datetime(2026, 12, 2, tzinfo=UTC))

    anonymous = shop.client.post("/webhooks/carriers/sandbox", data=body)
    forged = _scan(shop, tracking, TrackingStatus.IN_TRANSIT, secret="guessed")
    app.config["SANDBOX_CARRIER_SECRET"] = ""  # no secret: fail closed, even when "signed"
    try:
        without_secret = _scan(shop, tracking, TrackingStatus.IN_TRANSIT, secret="")
    finally:
        app.config["SANDBOX_CARRIER_SECRET"] = SANDBOX_CARRIER_SECRET

    assert anonymous.status_code == forged.status_code == without_secret.status_code == 401
    shop.run_jobs()
    assert shop.get(rma)["status"] == "awaiting_parcel"
    assert session.scalar(select(func.count()).select_from(SandboxRefund)) == 0


def test_easypost_pushes_are_refused_without_a_webhook_secret(
    app: Flask, shop: Shop, easypost: HTTPServer
) -> None:
    body = json.dumps(_data("easypost_event_tracker_delivered")).encode()
    app.config["EASYPOST_WEBHOOK_SECRET"] = ""
    pushed = shop.client.post(
        "/webhooks/carriers/easypost", data=body, content_type="application/json"
    )
    assert pushed.status_code == 401


@pytest.fixture
def easypost(app: Flask, httpserver: HTTPServer) -> Any:
    """The app talks to a loopback server that answers like EasyPost."""
    saved = {
        key: app.config[key]
        for key in ("CARRIER", "EASYPOST_API_BASE", "EASYPOST_API_KEY", "EASYPOST_WEBHOOK_SECRET")
    }
    app.config.update(
        CARRIER="easypost",
        EASYPOST_API_BASE=httpserver.url_for(""),
        EASYPOST_API_KEY="EZTK_test",
        EASYPOST_WEBHOOK_SECRET="whsec_test",
    )
    yield httpserver
    app.config.update(saved)


def _data(name: str) -> dict[str, Any]:
    return json.loads((EASYPOST_DATA / f"{name}.json").read_text())


def test_pickup_is_booked_at_easypost_and_its_tracker_moves_the_return(
    shop: Shop, easypost: HTTPServer
) -> None:
    shipment, bought = _data("easypost_shipment_created"), _data("easypost_shipment_bought")
    pickup, scheduled = _data("easypost_pickup_created"), _data("easypost_pickup_bought")
    easypost.expect_ordered_request("/v2/shipments", method="POST").respond_with_json(shipment)
    easypost.expect_ordered_request(
        f"/v2/shipments/{shipment['id']}/buy", method="POST"
    ).respond_with_json(bought)
    easypost.expect_ordered_request("/v2/pickups", method="POST").respond_with_json(pickup)
    easypost.expect_ordered_request(
        f"/v2/pickups/{pickup['id']}/buy", method="POST"
    ).respond_with_json(scheduled)

    order = shop.put_order()
    created = shop.file(
        shop.customer(),
        [{"line_id": shop.line_id(order, "L1"), "quantity": 1, "reason": "DEFECTIVE"}],
        method={"type": "pickup", "date": "2026-12-01", "slot": "14-16"},
    ).json
    shop.run_jobs()
    shop.run_jobs()  # nothing is booked twice

    easypost.check_assertions()
    requests = [request for request, _ in easypost.log]
    assert [r.path for r in requests] == [
        "/v2/shipments",
        f"/v2/shipments/{shipment['id']}/buy",
        "/v2/pickups",
        f"/v2/pickups/{pickup['id']}/buy",
    ]
    assert requests[0].authorization.username == "EZTK_test"
    assert requests[0].headers["Idempotency-Key"].startswith("return-label-")
    assert requests[2].headers["Idempotency-Key"].startswith("pickup-")
    assert requests[0].get_json()["shipment"]["is_return"] is True
    assert requests[2].get_json()["pickup"]["shipment"] == {"id": shipment["id"]}
    rma = created["rma"]
    after = shop.get(rma)
    assert after["tracking_number"] == bought["tracking_code"]
    assert after["pickup"]["status"] == "confirmed"
    assert after["pickup"]["confirmation_number"] == scheduled["confirmation"]

    event = _data("easypost_event_tracker_delivered")
    event["result"]["tracking_code"] = bought["tracking_code"]
    body = json.dumps(event).encode()
    signature = "hmac-sha256-hex=" + hmac.new(b"whsec_test", body, hashlib.sha256).hexdigest()
    unsigned = shop.client.post(
        "/webhooks/carriers/easypost", data=body, content_type="application/json"
    )
    assert unsigned.status_code == 401
    assert shop.get(rma)["status"] == "awaiting_parcel"
    pushed = shop.client.post(
        "/webhooks/carriers/easypost",
        data=body,
        content_type="application/json",
        headers={"X-Hmac-Signature": signature},
    )
    assert pushed.status_code == 200, pushed.json
    assert shop.get(rma)["status"] == "in_transit"
