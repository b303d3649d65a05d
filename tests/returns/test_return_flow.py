"""End to end: a customer files a return, the rules decide, the warehouse and the jobs finish it."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from returns_service.inventory.models import StockItem
from returns_service.refunds.models import SandboxRefund
from tests.shop import Inbox, Shop, Subscriber


def _kinds(timeline: list[dict]) -> list[str]:
    return [event["kind"] for event in timeline]


def test_defective_item_is_collected_received_inspected_restocked_and_refunded_once(
    shop: Shop, inbox: Inbox, session: Session
) -> None:
    order = shop.put_order()
    session.add(StockItem(sku="DNM-30", on_hand=4, reserved=0))
    session.commit()
    customer = shop.customer()
    line = shop.line_id(order, "L1")

    response = shop.file(
        customer,
        [
            {
                "line_id": line,
                "quantity": 1,
                "reason": "DEFECTIVE",
                "comment": "縫い目がほつれています",
            }
        ],
        method={"type": "pickup", "date": "2026-12-01", "slot": "14-16"},
    )

    assert response.status_code == 201, response.json
    created = response.json
    rma = created["rma"]
    assert created["status"] == "awaiting_parcel"
    assert created["method"] == "pickup"
    assert created["decision"]["outcome"] == "approved"
    assert created["decision"]["rule"] == "shop_at_fault"
    assert created["refund_timing"] == "on_receipt"
    assert "集荷" in created["next_steps"]

    shop.run_jobs()
    after_pickup = shop.get(rma)
    assert after_pickup["pickup"]["status"] == "confirmed"
    assert after_pickup["pickup"]["carrier"] == "sandbox"
    assert after_pickup["tracking_number"] and after_pickup["carrier"] == "sandbox"
    assert after_pickup["refunds"] == []

    return_line = created["lines"][0]["id"]
    received = shop.client.post(
        f"/api/v1/returns/{rma}/receive",
        headers=shop.warehouse,
        json={"lines": [{"line_id": return_line, "quantity": 1}]},
    )
    assert received.status_code == 200, received.json
    assert received.json["status"] == "received"
    assert [r["status"] for r in received.json["refunds"]] == ["pending"]

    shop.run_jobs()
    shop.run_jobs()  # a second pass finds nothing left to do
    inspected = shop.client.post(
        f"/api/v1/returns/{rma}/inspect",
        headers=shop.warehouse,
        json={"lines": [{"line_id": return_line, "condition": "good", "disposition": "restock"}]},
    )
    assert inspected.status_code == 200, inspected.json
    assert inspected.json["status"] == "completed"
    shop.run_jobs()

    final = shop.get(rma)
    assert [(r["amount"], r["status"]) for r in final["refunds"]] == [
        ({"amount": 12800, "currency": "JPY"}, "succeeded")
    ]
    sandbox = session.scalars(select(SandboxRefund)).all()
    assert [(r.amount, r.currency, r.payment_reference) for r in sandbox] == [
        (12800, "JPY", "pay_5001")
    ]
    session.expire_all()
    assert session.get(StockItem, "DNM-30").on_hand == 5
    assert _kinds(final["timeline"]) == [
        "return.requested",
        "return.approved",
        "return.awaiting_parcel",
        "label.created",
        "pickup.confirmed",
        "return.received",
        "refund.created",
        "refund.succeeded",
        "return.inspected",
        "return.completed",
        "stock.restocked",
    ]
    assert inbox.subjects("hanako@example.jp") == [
        f"返品のお申し込みを受け付けました（返品番号 {rma}）",
        f"返品を承認しました（返品番号 {rma}）",
        f"返品の商品が到着しました（返品番号 {rma}）",
        "返金のお手続きが完了しました（ご注文番号 #5001）",
    ]


def test_cheap_item_is_refunded_without_being_sent_back(
    shop: Shop, inbox: Inbox, session: Session
) -> None:
    order = shop.put_order()
    customer = shop.customer()
    response = shop.file(
        customer, [{"line_id": shop.line_id(order, "L2"), "quantity": 2, "reason": "UNWANTED"}]
    )
    assert response.status_code == 201, response.json
    assert response.json["status"] == "completed"
    assert response.json["method"] == "none"
    assert response.json["decision"]["rule"] == "low_price_keep_item_jpy"
    shop.run_jobs()
    final = shop.get(response.json["rma"])
    assert [(r["amount"]["amount"], r["status"]) for r in final["refunds"]] == [(2200, "succeeded")]
    assert session.scalar(select(func.count()).select_from(SandboxRefund)) == 1


def test_final_sale_item_is_rejected_with_the_rule_message_in_the_customers_language(
    shop: Shop, inbox: Inbox
) -> None:
    order = shop.put_order(email_address="emily@example.com", locale="en")
    customer = shop.customer(email_address="emily@example.com")
    response = shop.file(
        customer, [{"line_id": shop.line_id(order, "L3"), "quantity": 1, "reason": "STYLE"}]
    )
    assert response.status_code == 201, response.json
    assert response.json["status"] == "rejected"
    assert response.json["decision"]["rule"] == "final_sale"
    assert response.json["decision"]["message"] == (
        "This item was sold as final sale and cannot be returned."
    )
    shop.run_jobs()
    rma = response.json["rma"]
    assert inbox.subjects() == [
        f"We have received your return request ({rma})",
        f"We could not accept your return request ({rma})",
    ]
    assert "cannot be returned" in inbox.messages[1].get_payload(decode=True).decode()


def test_high_value_return_waits_for_a_person_who_approves_it(shop: Shop, inbox: Inbox) -> None:
    order = shop.put_order()
    customer = shop.customer()
    response = shop.file(
        customer, [{"line_id": shop.line_id(order, "L4"), "quantity": 1, "reason": "UNWANTED"}]
    )
    assert response.json["status"] == "review"
    rma = response.json["rma"]
    assert (
        shop.client.post(f"/api/v1/returns/{rma}/approve", json={}, headers=customer).status_code
        == 403
    )
    approved = shop.client.post(
        f"/api/v1/returns/{rma}/approve", json={"message": "checked the photos"}, headers=shop.agent
    )
    assert approved.status_code == 200, approved.json
    assert approved.json["status"] == "awaiting_parcel"
    assert approved.json["method"] == "dropoff"
    assert _kinds(approved.json["timeline"])[:3] == [
        "return.requested",
        "return.review",
        "return.approved",
    ]
    assert approved.json["timeline"][2]["actor"].startswith("token:")
    assert approved.json["timeline"][2]["message"] == "checked the photos"
    shop.run_jobs()
    assert inbox.subjects() == [
        f"返品のお申し込みを受け付けました（返品番号 {rma}）",
        f"返品を承認しました（返品番号 {rma}）",
    ]


def test_receiving_a_rejected_return_is_refused_with_409(shop: Shop) -> None:
    order = shop.put_order()
    customer = shop.customer()
    rma = shop.file(
        customer, [{"line_id": shop.line_id(order, "L3"), "quantity": 1, "reason": "STYLE"}]
    ).json["rma"]
    response = shop.client.post(
        f"/api/v1/returns/{rma}/receive",
        headers=shop.warehouse,
        json={"lines": [{"line_id": 1, "quantity": 1}]},
    )
    assert response.status_code == 409
    assert "rejected" in response.json["message"]


def test_subscribed_systems_receive_signed_return_events(
    shop: Shop, subscriber: Subscriber
) -> None:
    subscriber.subscribe("return.created", "refund.issued")
    order = shop.put_order()
    rma = shop.file(
        shop.customer(),
        [{"line_id": shop.line_id(order, "L2"), "quantity": 1, "reason": "UNWANTED"}],
    ).json["rma"]
    shop.run_jobs()

    assert sorted(subscriber.events()) == ["refund.issued", "return.created"]
    assert subscriber.data("return.created")["rma"] == rma
    refund = subscriber.data("refund.issued")
    assert (refund["amount"], refund["currency"]) == (1100, "JPY")
