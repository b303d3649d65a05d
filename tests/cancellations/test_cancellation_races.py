"""A shipment update and a cancellation arriving together: one wins, never both.

Each round starts the two requests on separate threads with separate test clients (so
separate database connections), released together by a barrier; the rounds alternate
which one is handed to the pool first. The rule sets are published before the first round,
so that nothing but the order's lock can make one request wait for the other.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from returns_service.cancellations.models import Cancellation, CancellationStatus
from returns_service.orders.models import Order, Shipment
from returns_service.refunds.models import Refund, SandboxRefund
from tests.cancellations.conftest import Cancellations
from tests.shop import Shop, publish_default_rules

ROUNDS = 6
Call = Callable[[FlaskClient], TestResponse]


def _together(app: Flask, first: Call, second: Call) -> tuple[TestResponse, TestResponse]:
    barrier = threading.Barrier(2)

    def run(call: Call) -> TestResponse:
        client = app.test_client()
        barrier.wait(timeout=10)
        return call(client)

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(run, first), pool.submit(run, second)]
        return futures[0].result(timeout=30), futures[1].result(timeout=30)


def _post(path: str, body: dict[str, Any], headers: dict[str, str]) -> Call:
    def call(client: FlaskClient) -> TestResponse:
        return client.post(path, json=body, headers=headers)

    return call


def _ship(external_id: str, order: dict[str, Any], headers: dict[str, str]) -> Call:
    return _post(f"/api/v1/orders/{external_id}/shipments", _shipment(order), headers)


def _shipment(order: dict[str, Any]) -> dict[str, Any]:
    return {
        "external_id": "S1",
        "carrier": "yamato",
        "tracking_number": "400011112222",
        "status": "in_transit",
        "lines": [
            {"line_id": line["external_id"], "quantity": line["quantity"]}
            for line in order["lines"]
        ],
    }


def _state(session: Session, external_id: str) -> tuple[int, int, list[CancellationStatus]]:
    """Shipments recorded, refunds made and cancellation statuses of one order."""
    session.expire_all()
    order = session.scalars(select(Order).where(Order.external_id == external_id)).one()
    shipments = session.scalar(
        select(func.count()).select_from(Shipment).where(Shipment.order_id == order.id)
    )
    refunds = session.scalar(
        select(func.count()).select_from(Refund).where(Refund.order_id == order.id)
    )
    statuses = list(
        session.scalars(select(Cancellation.status).where(Cancellation.order_id == order.id))
    )
    return shipments, refunds, statuses


def test_an_unpicked_order_is_either_cancelled_or_shipped_never_both(
    app: Flask, shop: Shop, cancellations: Cancellations, session: Session
) -> None:
    publish_default_rules(session)
    outcomes = []
    for round_ in range(ROUNDS):
        external_id = f"70{round_:02d}"
        order = cancellations.put_order(
            external_id, number=f"#{external_id}", fulfillment_status="allocated"
        )
        cancel = _post(
            "/api/v1/cancellations", {"reason": "CHANGED_MIND"}, cancellations.customer(order)
        )
        ship = _ship(external_id, order, shop.integration)

        if round_ % 2:
            shipped, cancelled = _together(app, ship, cancel)
        else:
            cancelled, shipped = _together(app, cancel, ship)

        codes = (cancelled.status_code, shipped.status_code)
        assert codes in ((201, 409), (409, 200)), (codes, cancelled.json, shipped.json)
        shipments, refunds, statuses = _state(session, external_id)
        if codes == (201, 409):
            assert (shipments, refunds, statuses) == (0, 1, [CancellationStatus.CANCELLED])
            assert "recall the parcel" in shipped.json["message"]
        else:
            assert (shipments, refunds, statuses) == (1, 0, [])
            assert cancelled.json["return_url"] == "http://returns.test"
        outcomes.append(codes)
    shop.run_jobs()
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(SandboxRefund)) == outcomes.count(
        (201, 409)
    )


def test_a_packed_order_is_either_stopped_and_refunded_or_shipped_never_both(
    app: Flask, shop: Shop, cancellations: Cancellations, session: Session
) -> None:
    publish_default_rules(session)
    for round_ in range(ROUNDS):
        external_id = f"71{round_:02d}"
        order = cancellations.put_order(
            external_id, number=f"#{external_id}", fulfillment_status="packed"
        )
        pending = cancellations.cancel(cancellations.customer(order)).json
        assert pending["status"] == "pending_stop"
        stopped = _post(
            f"/api/v1/cancellations/{pending['id']}/warehouse-result",
            {"stopped": True},
            shop.integration,
        )
        ship = _ship(external_id, order, shop.integration)

        if round_ % 2:
            shipped, answered = _together(app, ship, stopped)
        else:
            answered, shipped = _together(app, stopped, ship)

        codes = (answered.status_code, shipped.status_code)
        assert codes in ((200, 409), (409, 200)), (codes, answered.json, shipped.json)
        shipments, refunds, statuses = _state(session, external_id)
        if codes == (200, 409):
            assert answered.json["status"] == "cancelled"
            assert (shipments, refunds, statuses) == (0, 1, [CancellationStatus.CANCELLED])
        else:
            assert (shipments, refunds, statuses) == (1, 0, [CancellationStatus.REFUSED])
            assert "refused" in answered.json["message"]
