"""Staff's refunds API: the list, manual refunds marked done, and who may do what."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

import rules
from returns_service.auth.models import Role
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.orders.models import FinancialStatus, Order
from returns_service.outbox import MessageStatus, OutboxMessage, give_up_handler_for
from returns_service.refunds.models import RefundStatus, StoreCreditAccount
from returns_service.refunds.operations import settle_refund
from tests.refunds.conftest import FakeStripe, keep_item_return, only_refund, put_paid_order
from tests.shop import Inbox, Shop

REFUND_MAIL = "Your refund for order #5001 has been issued"


def _manual_refund(shop: Shop) -> str:
    """A kept mug on an order paid by bank transfer, which staff refund by hand; its RMA."""
    order = put_paid_order(
        shop, "manual", "bank-transfer-0042", email_address="emily@example.com", locale="en"
    )
    rma = keep_item_return(shop, order, "L2", 2, "emily@example.com")
    shop.run_jobs()
    return rma


def test_staff_mark_a_manual_refund_done_and_the_customer_is_told(
    shop: Shop, inbox: Inbox, session: Session
) -> None:
    rma = _manual_refund(shop)
    refund = only_refund(session)
    assert (refund.status, refund.provider) == (RefundStatus.PROCESSING, "manual")
    assert REFUND_MAIL not in inbox.subjects()
    waiting = shop.client.get("/api/v1/refunds?status=processing", headers=shop.agent).json
    assert [(r["id"], r["provider"], r["method"]) for r in waiting] == [
        (refund.id, "manual", "original_payment")
    ]

    done = shop.client.post(
        f"/api/v1/refunds/{refund.id}/mark-done",
        json={"reference": "furikomi-20261201-7", "message": "sent from the shop's bank"},
        headers=shop.agent,
    )

    assert done.status_code == 200, done.json
    assert (done.json["status"], done.json["provider_reference"]) == (
        "succeeded",
        "furikomi-20261201-7",
    )
    assert done.json["issued_at"] is not None
    refund = only_refund(session)
    assert refund.order.refunded_amount == 2200
    shop.run_jobs()
    assert inbox.subjects().count(REFUND_MAIL) == 1
    timeline = shop.get(rma)["timeline"]
    marked = next(e for e in timeline if e["kind"] == "refund.marked_done")
    assert marked["actor"].startswith("token:")
    assert marked["message"] == "sent from the shop's bank"

    twice = shop.client.post(f"/api/v1/refunds/{refund.id}/mark-done", json={}, headers=shop.agent)
    assert twice.status_code == 409
    assert "only manual refunds waiting for staff" in twice.json["message"]


def test_only_manual_refunds_are_marked_done(
    shop: Shop, stripe: FakeStripe, session: Session
) -> None:
    stripe.script = [{"status": "pending"}]
    order = put_paid_order(shop, "stripe", "pi_3MtwBwLkdIwHu7ix28a3tqPa")
    keep_item_return(shop, order, "L2", 1)
    shop.run_jobs()
    refund = only_refund(session)
    assert refund.status is RefundStatus.PROCESSING

    response = shop.client.post(
        f"/api/v1/refunds/{refund.id}/mark-done", json={}, headers=shop.agent
    )

    assert response.status_code == 409
    assert response.json["message"].startswith(f"refund {refund.id} is a stripe refund")
    assert only_refund(session).status is RefundStatus.PROCESSING


def test_a_retry_is_refused_when_the_order_has_been_refunded_since(
    shop: Shop, stripe: FakeStripe, session: Session
) -> None:
    stripe.script = [{"status": "failed", "failure_reason": "declined"}]
    order = put_paid_order(shop, "stripe", "pi_3MtwBwLkdIwHu7ix28a3tqPa")
    keep_item_return(shop, order, "L2", 1)
    shop.run_jobs()
    refund = only_refund(session)
    refund.order.refunded_amount = refund.order.total_amount  # refunded in the shop's admin
    session.commit()

    response = shop.client.post(f"/api/v1/refunds/{refund.id}/retry", json={}, headers=shop.agent)

    assert response.status_code == 409
    assert "only ¥0 of order #5001 is left to refund" in response.json["message"]
    assert only_refund(session).status is RefundStatus.FAILED


def test_the_list_filters_by_order_and_status(shop: Shop, session: Session) -> None:
    _manual_refund(shop)
    agent = shop.agent

    by_order = shop.client.get("/api/v1/refunds?order=5001", headers=agent)
    other_order = shop.client.get("/api/v1/refunds?order=9999", headers=agent)
    succeeded = shop.client.get("/api/v1/refunds?status=succeeded", headers=agent)
    bad = shop.client.get("/api/v1/refunds?status=lost", headers=agent)

    [listed] = by_order.json
    assert set(listed) == {
        "id",
        "order_number",
        "order_external_id",
        "rma",
        "amount",
        "method",
        "provider",
        "status",
        "failure_reason",
        "provider_reference",
        "created_at",
        "issued_at",
    }
    assert (listed["order_external_id"], listed["amount"]) == (
        "5001",
        {"amount": 2200, "currency": "JPY"},
    )
    assert other_order.json == []
    assert succeeded.json == []
    assert bad.status_code == 422
    assert "status" in bad.json["errors"]["query"]


def test_refunds_are_for_staff_with_the_agent_role(
    shop: Shop, token_for: Callable[[Role], dict[str, str]], session: Session
) -> None:
    _manual_refund(shop)
    refund_id = only_refund(session).id
    customer = shop.customer("#5001", "emily@example.com")

    assert shop.client.get("/api/v1/refunds").status_code == 401
    assert shop.client.get("/api/v1/refunds", headers=customer).status_code == 403
    assert shop.client.get("/api/v1/refunds", headers=shop.warehouse).status_code == 403
    assert shop.client.get("/api/v1/refunds", headers=token_for(Role.ADMIN)).status_code == 200
    marked = shop.client.post(
        f"/api/v1/refunds/{refund_id}/mark-done", json={}, headers=shop.warehouse
    )
    assert marked.status_code == 403
    assert only_refund(session).status is RefundStatus.PROCESSING
    assert shop.client.get("/api/v1/refunds/999", headers=shop.agent).status_code == 404


def test_store_credit_whose_job_gave_up_is_failed_and_retried_with_its_bonus(
    app: Flask, shop: Shop, session: Session, token_for: Callable[[Role], dict[str, str]]
) -> None:
    admin = token_for(Role.ADMIN)
    document = rules.default_rule_set()
    document["rules"][-1]["action"]["bonus_credit"] = {"percent": 10}
    shop.publish_rules(document, admin)
    order = shop.put_order()
    created = shop.file(
        shop.customer(),
        [{"line_id": shop.line_id(order, "L1"), "quantity": 1, "reason": "STYLE"}],
        resolution="store_credit",
    ).json
    line = created["lines"][0]["id"]
    shop.client.post(
        f"/api/v1/returns/{created['rma']}/receive",
        headers=shop.warehouse,
        json={"lines": [{"line_id": line, "quantity": 1}]},
    )
    shop.client.post(
        f"/api/v1/returns/{created['rma']}/inspect",
        headers=shop.warehouse,
        json={"lines": [{"line_id": line, "condition": "good", "disposition": "restock"}]},
    )
    job = session.scalars(
        select(OutboxMessage).where(OutboxMessage.job == "issue_store_credit")
    ).one()
    # The job fails for good: the worker marks it failed and calls its owner's callback.
    with app.app_context():
        message = db.session.get(OutboxMessage, job.id)
        message.status = MessageStatus.FAILED
        give_up_handler_for("issue_store_credit")(
            db.session,
            utcnow(),
            "OperationalError: the server closed the connection",
            **job.payload,
        )
        db.session.commit()

    refund = only_refund(session)
    assert refund.status is RefundStatus.FAILED
    assert "the server closed" in (refund.failure_reason or "")
    retried = shop.client.post(f"/api/v1/refunds/{refund.id}/retry", json={}, headers=shop.agent)
    assert retried.status_code == 202, retried.json
    shop.run_jobs()

    assert only_refund(session).status is RefundStatus.SUCCEEDED
    code = session.scalars(select(StoreCreditAccount.code)).one()
    account = shop.client.get(f"/api/v1/store-credit/{code}", headers=shop.integration)
    assert account.json["balance"] == {"amount": 12800 + 1280, "currency": "JPY"}


def test_a_refund_settled_adds_to_what_another_settled_meanwhile(
    shop: Shop, session: Session
) -> None:
    _manual_refund(shop)
    refund = only_refund(session)
    order = refund.order
    assert order.refunded_amount == 0
    # Another refund of the order is paid while this one is on its way (the order's row is
    # not locked while refunds are paid).
    with db.engine.begin() as other:
        other.execute(update(Order).where(Order.id == order.id).values(refunded_amount=1000))

    settle_refund(session, utcnow(), refund, RefundStatus.SUCCEEDED, None)
    session.commit()

    assert (order.refunded_amount, order.financial_status) == (
        3200,
        FinancialStatus.PARTIALLY_REFUNDED,
    )
    session.expire_all()
    assert only_refund(session).order.refunded_amount == 3200
