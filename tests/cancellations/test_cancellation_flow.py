"""End to end: the order's progress in the warehouse decides how a cancellation goes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from returns_service.cancellations.models import Cancellation
from returns_service.cancellations.review import escalate_overdue_stops
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
