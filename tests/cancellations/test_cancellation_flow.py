"""End to end: the order's progress in the warehouse decides how a cancellation goes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from returns_service.cancellations.models import Cancellation
from returns_service.cancellations.review import escalate_overdue_stops
from returns_service.cancellations.warehouse_answers import sign_answer
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.orders.models import FinancialStatus, Order
from returns_service.outbox import OutboxMessage
from returns_service.refunds.models import Refund, SandboxRefund
from returns_service.worker import run_message
from tests.cancellations.conftest import Cancellations, kinds
from tests.cancellations.partners import WebhookReceiver
from tests.shop import Inbox, Shop

ORDER_TOTAL = 145900  # the four lines of tests.shop.order_document, in yen


def test_an_unpicked_order_is_cancelled_refunded_once_and_the_warehouse_told(
    shop: Shop,
    cancellations: Cancellations,
    warehouse: WebhookReceiver,
    inbox: Inbox,
    session: Session,
    count: Callable[[type], int],
) -> None:
    order = cancellations.put_order(fulfillment_status="allocated")
    customer = cancellations.customer(order)

    first = cancellations.cancel(customer, key="cancel-6001")
    again = cancellations.cancel(customer, key="cancel-6001")

    assert first.status_code == 201, first.json
    assert again.status_code == 201 and again.json == first.json
    created = first.json
    assert created["status"] == "cancelled"
    assert created["closes_order"] is True
    assert created["refund"]["amount"] == {"amount": ORDER_TOTAL, "currency": "JPY"}
    assert created["refund"]["status"] == "pending"
    assert created["message"] == (
        "ご注文 #6001 をキャンセルしました。¥145,900をご注文時のお支払い方法へ返金いたします。"
    )
    assert count(Cancellation) == 1

    shop.run_jobs()
    shop.run_jobs()  # nothing is left to do the second time

    sandbox = session.scalars(select(SandboxRefund)).all()
    assert [(r.amount, r.currency, r.payment_reference) for r in sandbox] == [
        (ORDER_TOTAL, "JPY", "pay_6001")
    ]
    stored = session.scalars(select(Order)).one()
    assert stored.cancelled_at is not None
    assert stored.financial_status is FinancialStatus.REFUNDED
    assert warehouse.events() == ["order.cancelled"]
    stop = warehouse.deliveries[0]
    assert stop.signed
    assert stop.data["order_external_id"] == "6001"
    assert stop.data["closes_order"] is True
    assert {(line["sku"], line["quantity"]) for line in stop.data["lines"]} == {
        ("DNM-30", 1),
        ("MUG", 2),
        ("SCARF", 1),
        ("KETTLE", 1),
    }
    final = cancellations.get(created["id"])
    assert final["refund"]["status"] == "succeeded"
    assert kinds(final["timeline"]) == [
        "cancellation.requested",
        "cancellation.cancelled",
        "refund.created",
        "refund.succeeded",
    ]
    assert final["timeline"][1]["data"]["rule"] == "default"
    assert inbox.subjects("hanako@example.jp") == [
        "ご注文をキャンセルしました（ご注文番号 #6001）",
        "返金のお手続きが完了しました（ご注文番号 #6001）",
    ]

    # A refund job delivered once more (a relay after a lost acknowledgement) pays nothing.
    refund_job = session.scalar(select(OutboxMessage).where(OutboxMessage.job == "issue_refund"))
    with shop.app.app_context():
        assert run_message(refund_job.id) == "succeeded"
    assert count(SandboxRefund) == 1
    again_later = cancellations.cancel(customer)
    assert again_later.status_code == 409
    assert "キャンセルできる商品が残っていません" in again_later.json["message"]


def test_a_packed_order_waits_for_the_warehouse_and_is_cancelled_once_it_stopped(
    shop: Shop,
    cancellations: Cancellations,
    warehouse: WebhookReceiver,
    inbox: Inbox,
    session: Session,
    count: Callable[[type], int],
) -> None:
    order = cancellations.put_order(
        fulfillment_status="packed", email_address="emily@example.com", locale="en"
    )
    customer = cancellations.customer(order)
    line = shop.line_id(order, "L1")

    response = cancellations.cancel(customer, [{"line_id": line, "quantity": 1}])

    assert response.status_code == 201, response.json
    pending = response.json
    assert pending["status"] == "pending_stop"
    assert pending["refund"] is None
    assert "asked the warehouse to stop it" in pending["message"]
    shop.run_jobs()
    assert warehouse.events() == ["order.stop_requested"]
    asked = warehouse.data("order.stop_requested")[0]
    assert asked["answer_url"] == (
        f"http://returns.test/api/v1/cancellations/{pending['id']}/warehouse-result"
    )
    assert asked["lines"] == [
        {"line_id": "L1", "sku": "DNM-30", "title": "セルビッジデニム 30", "quantity": 1}
    ]
    assert count(Refund) == 0

    stopped = cancellations.answer(pending["id"], True)

    assert stopped.status_code == 200, stopped.json
    assert stopped.json["status"] == "cancelled"
    assert stopped.json["closes_order"] is False
    assert stopped.json["refund"]["amount"] == {"amount": 12800, "currency": "JPY"}
    repeated = cancellations.answer(pending["id"], True)
    assert repeated.status_code == 200 and repeated.json["status"] == "cancelled"
    contradicting = cancellations.answer(pending["id"], False)
    assert contradicting.status_code == 409
    shop.run_jobs()

    assert [r.amount for r in session.scalars(select(SandboxRefund))] == [12800]
    assert warehouse.events() == ["order.stop_requested", "order.cancelled"]
    assert kinds(cancellations.get(pending["id"])["timeline"]) == [
        "cancellation.requested",
        "cancellation.pending_stop",
        "warehouse.stopped",
        "cancellation.cancelled",
        "refund.created",
        "refund.succeeded",
    ]
    assert inbox.subjects() == [
        "We are trying to stop your order #6001",
        "Your order #6001 has been cancelled",
        "Your refund for order #6001 has been issued",
    ]


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


def test_a_stop_the_warehouse_never_answers_goes_to_review_then_a_person_settles_it(
    app: Flask,
    shop: Shop,
    cancellations: Cancellations,
    warehouse: WebhookReceiver,
    session: Session,
) -> None:
    order = cancellations.put_order(fulfillment_status="packed")
    pending = cancellations.cancel(cancellations.customer(order)).json
    with app.app_context():
        assert (
            escalate_overdue_stops(
                db.session, utcnow() + timedelta(minutes=119), timedelta(minutes=120)
            )
            == 0
        )
        db.session.commit()
    assert cancellations.get(pending["id"])["status"] == "pending_stop"

    # Two hours and a bit later, every worker's periodic round sends it to a person.
    session.execute(
        update(Cancellation).values(stop_requested_at=utcnow() - timedelta(minutes=121))
    )
    session.commit()
    shop.run_jobs()

    review = cancellations.get(pending["id"])
    assert review["status"] == "review"
    assert "did not answer within 120 minutes" in review["timeline"][-1]["message"]
    listed = shop.client.get("/api/v1/cancellations?status=review", headers=shop.agent)
    assert [c["id"] for c in listed.json] == [pending["id"]]
    assert (
        shop.client.post(
            f"/api/v1/cancellations/{pending['id']}/reject", json={}, headers=shop.agent
        ).status_code
        == 422
    )

    approved = shop.client.post(
        f"/api/v1/cancellations/{pending['id']}/approve",
        json={"message": "the warehouse confirmed by phone"},
        headers=shop.agent,
    )

    assert approved.status_code == 200, approved.json
    assert approved.json["status"] == "cancelled"
    assert approved.json["refund"]["amount"]["amount"] == ORDER_TOTAL
    assert kinds(approved.json["timeline"])[-4:] == [
        "cancellation.review",
        "warehouse.stopped",
        "cancellation.cancelled",
        "refund.created",
    ]
    assert cancellations.answer(pending["id"], False).status_code == 409


def test_a_shipped_order_is_refused_with_the_return_link_in_the_customers_language(
    shop: Shop, cancellations: Cancellations, count: Callable[[type], int]
) -> None:
    japanese = cancellations.put_order("6001", fulfillment_status="shipped")
    english = cancellations.put_order(
        "6002", number="#6002", email_address="emily@example.com", locale="en"
    )
    shipped = cancellations.ship("6002", english)
    assert shipped.status_code == 200, shipped.json

    refused_ja = cancellations.cancel(cancellations.customer(japanese))
    refused_en = cancellations.cancel(cancellations.customer(english))

    assert refused_ja.status_code == 409
    assert refused_ja.json["return_url"] == "http://returns.test"
    assert refused_ja.json["message"] == (
        "ご注文 #6001 はすでに発送されたため、キャンセルできません。"
        "お届け後に、こちらから返品をお申し込みいただけます: http://returns.test"
    )
    assert refused_en.status_code == 409
    assert refused_en.json["message"].startswith("Your order #6002 has already shipped")
    assert count(Cancellation) == 0


def test_staff_cancel_by_order_number_and_only_the_customer_sees_their_own(
    shop: Shop, cancellations: Cancellations
) -> None:
    mine = cancellations.put_order("6001")
    cancellations.put_order("6002", number="#6002", email_address="ken@example.jp")
    line = shop.line_id(mine, "L2")

    by_staff = cancellations.cancel(
        shop.agent, [{"line_id": line, "quantity": 1}], order_number="6001"
    )

    assert by_staff.status_code == 201, by_staff.json
    assert by_staff.json["timeline"][0]["actor"] == "token:test-agent"
    other = shop.customer("#6002", "ken@example.jp")
    assert (
        shop.client.get(f"/api/v1/cancellations/{by_staff.json['id']}", headers=other).status_code
        == 404
    )
    assert (
        shop.client.get(
            f"/api/v1/cancellations/{by_staff.json['id']}", headers=cancellations.customer(mine)
        ).status_code
        == 200
    )
    assert shop.client.post("/api/v1/cancellations", json={"nonsense": 1}).status_code == 401


def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    shop: Shop, cancellations: Cancellations, count: Callable[[type], int]
) -> None:
    order = cancellations.put_order()
    customer = cancellations.customer(order)
    line = shop.line_id(order, "L2")

    cases = [
        ({"reason": "BORED"}, "reason"),
        ({"reason": "OTHER", "lines": []}, "lines"),
        ({"reason": "OTHER", "lines": [{"line_id": line, "quantity": 0}]}, "lines"),
        ({"reason": "OTHER", "lines": [{"line_id": str(line), "quantity": 1}]}, "lines"),
        ({"reason": "OTHER", "comment": "x" * 2001}, "comment"),
    ]
    for body, field in cases:
        response = shop.client.post("/api/v1/cancellations", json=body, headers=customer)
        assert response.status_code == 422, body
        assert field in response.json["errors"]["json"], response.json
    unknown = cancellations.cancel(customer, [{"line_id": 999999, "quantity": 1}])
    assert unknown.status_code == 422
    assert "lines.0.line_id" in unknown.json["errors"]["json"]
    too_many = cancellations.cancel(customer, [{"line_id": line, "quantity": 3}])
    assert too_many.status_code == 409
    assert "2 units that can still be cancelled" in too_many.json["message"]
    staff = cancellations.cancel(shop.agent)
    assert staff.status_code == 422
    assert "order_number" in staff.json["errors"]["json"]
    assert count(Cancellation) == 0


def test_a_key_reused_for_another_cancellation_is_refused_and_nothing_changes(
    shop: Shop, cancellations: Cancellations, count: Callable[[type], int]
) -> None:
    order = cancellations.put_order(fulfillment_status="allocated")
    other = cancellations.put_order("6002", number="#6002", fulfillment_status="allocated")
    customer = cancellations.customer(order)
    line = {"line_id": shop.line_id(order, "L1"), "quantity": 1}

    assert cancellations.cancel(customer, [line], key="c-1").status_code == 201
    reused = cancellations.cancel(customer, reason="ORDERED_BY_MISTAKE", key="c-1")
    assert reused.status_code == 422
    assert "Idempotency-Key" in reused.json["errors"]["json"]
    first = cancellations.cancel(shop.agent, key="s-1", order_number=order["number"])
    on_other = cancellations.cancel(shop.agent, key="s-1", order_number=other["number"])
    assert first.status_code == 201, first.json
    assert on_other.status_code == 422
    assert count(Cancellation) == 2


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
