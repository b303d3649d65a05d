"""The warehouse's signed answer to a stop request: forged, replayed or repeated answers
change nothing; a true one settles the cancellation."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from returns_service.cancellations.warehouse_answers import sign_answer
from returns_service.models import utcnow
from returns_service.refunds.models import Refund
from tests.cancellations.conftest import Cancellations
from tests.cancellations.partners import WebhookReceiver
from tests.shop import Inbox, Shop


def _signed(secret: str, path: str, delivery_id: str, body: bytes) -> dict[str, str]:
    """The headers of a warehouse answer signed as the warehouse signs it."""
    timestamp = int(utcnow().timestamp())
    return {
        "X-Returns-Delivery": delivery_id,
        "X-Returns-Signature": sign_answer(secret, timestamp, "POST", path, delivery_id, body),
    }


def test_a_packed_order_that_had_left_is_refused_and_the_customer_offered_a_return(
    app: Flask,
    shop: Shop,
    cancellations: Cancellations,
    warehouse: WebhookReceiver,
    inbox: Inbox,
    count: Callable[[type], int],
) -> None:
    order = cancellations.put_order(fulfillment_status="picking")
    pending = cancellations.cancel(cancellations.customer(order)).json
    assert pending["status"] == "pending_stop"
    body = b'{"stopped": false, "note": "already collected by the carrier"}'
    path = f"/api/v1/cancellations/{pending['id']}/warehouse-result"
    app.config["WAREHOUSE_WEBHOOK_SECRET"] = "warehouse-answers-secret"
    try:
        forged = shop.client.post(
            path,
            data=body,
            content_type="application/json",
            headers=_signed("another-secret", path, "d-1", body),
        )
        signed = shop.client.post(
            path,
            data=body,
            content_type="application/json",
            headers=_signed("warehouse-answers-secret", path, "d-1", body),
        )
    finally:
        app.config["WAREHOUSE_WEBHOOK_SECRET"] = ""

    assert forged.status_code == 401
    assert signed.status_code == 200, signed.json
    refused = signed.json
    assert refused["status"] == "refused"
    assert refused["return_url"] == "http://returns.test"
    assert "すでに発送されたため" in refused["message"]
    assert refused["timeline"][-2]["actor"] == "warehouse"
    assert refused["timeline"][-2]["message"] == "already collected by the carrier"
    shop.run_jobs()
    assert count(Refund) == 0
    assert warehouse.events() == ["order.stop_requested", "cancellation.refused"]
    assert inbox.subjects() == [
        "キャンセルのご依頼を承りました（ご注文番号 #6001）",
        "ご注文をキャンセルできませんでした（ご注文番号 #6001）",
    ]


def test_a_signed_answer_cannot_be_replayed_onto_another_cancellation_or_twice(
    app: Flask,
    shop: Shop,
    cancellations: Cancellations,
    warehouse: WebhookReceiver,
    count: Callable[[type], int],
) -> None:
    first = cancellations.put_order(fulfillment_status="packed")
    second = cancellations.put_order("6002", number="#6002", fulfillment_status="packed")
    one = cancellations.cancel(cancellations.customer(first)).json
    two = cancellations.cancel(cancellations.customer(second)).json
    body = b'{"stopped": true}'
    path_one = f"/api/v1/cancellations/{one['id']}/warehouse-result"
    path_two = f"/api/v1/cancellations/{two['id']}/warehouse-result"
    for_one = _signed("warehouse-answers-secret", path_one, "delivery-1", body)
    app.config["WAREHOUSE_WEBHOOK_SECRET"] = "warehouse-answers-secret"
    try:
        replayed = shop.client.post(
            path_two, data=body, content_type="application/json", headers=for_one
        )
        unnamed = shop.client.post(
            path_two,
            data=body,
            content_type="application/json",
            headers={"X-Returns-Signature": for_one["X-Returns-Signature"]},
        )
        applied = shop.client.post(
            path_one, data=body, content_type="application/json", headers=for_one
        )
        again = shop.client.post(
            path_one, data=body, content_type="application/json", headers=for_one
        )
    finally:
        app.config["WAREHOUSE_WEBHOOK_SECRET"] = ""

    assert replayed.status_code == unnamed.status_code == 401
    assert applied.status_code == again.status_code == 200
    assert applied.json["status"] == again.json["status"] == "cancelled"
    assert again.json["timeline"] == applied.json["timeline"]
    assert cancellations.get(two["id"])["status"] == "pending_stop"
    assert count(Refund) == 1
