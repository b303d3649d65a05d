"""End to end: returns on Stripe-paid orders are refunded at a loopback Stripe, once."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from bench.inprocess import counted_statements
from returns_service.extensions import db, jobs
from returns_service.models import utcnow
from returns_service.outbox import MessageStatus, OutboxMessage, handler_for
from returns_service.refunds.models import RefundStatus
from returns_service.shop import shop_settings
from returns_service.worker import run_message
from tests.refunds.conftest import FakeStripe, keep_item_return, only_refund, put_paid_order
from tests.shop import Inbox, Shop

PAYMENT_INTENT = "pi_3MtwBwLkdIwHu7ix28a3tqPa"
REFUND_MAIL = "Your refund for order #5001 has been issued"


def _stripe_order(shop: Shop) -> dict:
    return put_paid_order(
        shop, "stripe", PAYMENT_INTENT, email_address="emily@example.com", locale="en"
    )


def _refund_job(session: Session) -> OutboxMessage:
    session.expire_all()
    return session.scalars(select(OutboxMessage).where(OutboxMessage.job == "issue_refund")).one()


def test_a_refund_reaches_stripe_once_with_its_key_through_reruns_and_a_crash(
    app: Flask, shop: Shop, stripe: FakeStripe, inbox: Inbox, session: Session
) -> None:
    order = _stripe_order(shop)
    keep_item_return(shop, order, "L2", 2, "emily@example.com")
    refund_id = only_refund(session).id

    # The worker dies after Stripe answered, before its transaction commits.
    with app.app_context():
        handler_for("issue_refund")(db.session, utcnow(), shop_settings(app), refund_id=refund_id)
        db.session.rollback()
    assert only_refund(session).status is RefundStatus.PENDING

    shop.run_jobs()  # the job runs again: Stripe replays its answer to the same key
    job = _refund_job(session)
    with app.app_context():
        assert run_message(job.id) == "succeeded"  # a second delivery: skipped
        jobs.queue.enqueue(run_message, job.id, job_id=job.id)  # the relay hands it over again
    shop.run_jobs()

    key = f"refund-{refund_id}"
    assert stripe.keys() == [key, key]
    assert len(stripe.created) == 1
    assert stripe.requests[0][1] == {
        "payment_intent": PAYMENT_INTENT,
        "amount": "2200",  # JPY is zero-decimal at Stripe, as in our minor units
        "metadata[refund_id]": str(refund_id),
    }
    refund = only_refund(session)
    assert (refund.status, refund.provider, refund.provider_reference) == (
        RefundStatus.SUCCEEDED,
        "stripe",
        stripe.created[0]["id"],
    )
    assert refund.order.refunded_amount == 2200
    assert _refund_job(session).status is MessageStatus.SUCCEEDED
    assert inbox.subjects().count(REFUND_MAIL) == 1


def test_stripe_down_then_up_retries_with_the_same_key_and_refunds_once(
    shop: Shop, stripe: FakeStripe, session: Session
) -> None:
    stripe.script = [{"status": 503, "error": {"type": "api_error", "message": "Try again"}}]
    keep_item_return(shop, _stripe_order(shop), "L2", 1, "emily@example.com")

    shop.run_jobs()

    refund = only_refund(session)
    assert refund.status is RefundStatus.SUCCEEDED
    assert stripe.keys() == [f"refund-{refund.id}"] * 2
    assert len(stripe.created) == 1
    job = _refund_job(session)
    assert (job.status, job.attempts) == (MessageStatus.SUCCEEDED, 2)


def test_a_refund_stripe_reports_failed_is_visible_to_staff_and_retried_under_a_new_key(
    shop: Shop, stripe: FakeStripe, inbox: Inbox, session: Session
) -> None:
    stripe.script = [{"status": "failed", "failure_reason": "expired_or_canceled_card"}]
    rma = keep_item_return(shop, _stripe_order(shop), "L2", 2, "emily@example.com")
    shop.run_jobs()

    refund = only_refund(session)
    assert refund.status is RefundStatus.FAILED
    assert refund.failure_reason == (
        f"Stripe failed the refund {stripe.created[0]['id']}: "
        "the card has expired or was cancelled (expired_or_canceled_card)"
    )
    assert REFUND_MAIL not in inbox.subjects()
    assert refund.order.refunded_amount == 0
    listed = shop.client.get("/api/v1/refunds?status=failed", headers=shop.agent)
    assert listed.status_code == 200, listed.json
    assert [(r["id"], r["status"], r["failure_reason"]) for r in listed.json] == [
        (refund.id, "failed", refund.failure_reason)
    ]
    assert listed.json[0]["order_number"] == "#5001"
    assert listed.json[0]["rma"] == rma
    assert listed.json[0]["amount"] == {"amount": 2200, "currency": "JPY"}

    retried = shop.client.post(
        f"/api/v1/refunds/{refund.id}/retry",
        json={"message": "the customer has a new card"},
        headers=shop.agent,
    )
    assert retried.status_code == 202, retried.json
    assert (retried.json["status"], retried.json["failure_reason"]) == ("pending", None)
    shop.run_jobs()

    assert stripe.keys() == [f"refund-{refund.id}", f"refund-{refund.id}-1"]
    refund = only_refund(session)
    assert (refund.status, refund.provider_reference) == (
        RefundStatus.SUCCEEDED,
        stripe.created[1]["id"],
    )
    assert inbox.subjects().count(REFUND_MAIL) == 1
    timeline = shop.get(rma)["timeline"]
    retried_event = next(e for e in timeline if e["kind"] == "refund.retried")
    assert retried_event["message"] == "the customer has a new card"
    assert [e["kind"] for e in timeline if e["kind"].startswith("refund.")] == [
        "refund.created",
        "refund.failed",
        "refund.retried",
        "refund.succeeded",
    ]
    again = shop.client.post(f"/api/v1/refunds/{refund.id}/retry", json={}, headers=shop.agent)
    assert again.status_code == 409
    assert "only failed refunds retry" in again.json["message"]


@pytest.mark.parametrize(
    ("status", "error", "reason"),
    [
        (
            402,
            {"type": "card_error", "code": "card_declined", "message": "Your card was declined."},
            "Stripe refused the refund: Your card was declined.",
        ),
        (
            400,
            {
                "type": "invalid_request_error",
                "code": "charge_already_refunded",
                "message": "Charge ch_3MtwBwLkdIwHu7ix28a3tqPa has already been refunded.",
            },
            "Stripe refused the refund: "
            "Charge ch_3MtwBwLkdIwHu7ix28a3tqPa has already been refunded.",
        ),
    ],
)
def test_a_refund_stripe_refuses_fails_at_once_with_stripes_message(
    shop: Shop,
    stripe: FakeStripe,
    inbox: Inbox,
    session: Session,
    status: int,
    error: dict,
    reason: str,
) -> None:
    stripe.script = [{"status": status, "error": error}]
    keep_item_return(shop, _stripe_order(shop), "L2", 1, "emily@example.com")
    shop.run_jobs()

    refund = only_refund(session)
    assert (refund.status, refund.failure_reason) == (RefundStatus.FAILED, reason)
    assert len(stripe.requests) == 1  # not retried: the same request would be refused again
    assert _refund_job(session).status is MessageStatus.SUCCEEDED
    assert REFUND_MAIL not in inbox.subjects()


def test_a_pending_stripe_refund_waits_in_processing_without_telling_the_customer(
    shop: Shop, stripe: FakeStripe, inbox: Inbox, session: Session
) -> None:
    stripe.script = [{"status": "pending"}]
    keep_item_return(shop, _stripe_order(shop), "L2", 1, "emily@example.com")
    shop.run_jobs()

    refund = only_refund(session)
    assert (refund.status, refund.provider_reference) == (
        RefundStatus.PROCESSING,
        stripe.created[0]["id"],
    )
    assert REFUND_MAIL not in inbox.subjects()
    listed = shop.client.get("/api/v1/refunds?status=processing", headers=shop.agent)
    assert [r["provider_reference"] for r in listed.json] == [stripe.created[0]["id"]]


def test_without_an_api_key_the_job_fails_for_good_and_the_refund_shows_it(
    app: Flask, shop: Shop, stripe: FakeStripe, session: Session
) -> None:
    app.config["STRIPE_API_KEY"] = ""  # the fixture puts it back
    keep_item_return(shop, _stripe_order(shop), "L2", 1, "emily@example.com")
    shop.run_jobs()

    job = _refund_job(session)
    assert (job.status, job.attempts) == (MessageStatus.FAILED, 1)
    assert "RETURNS_STRIPE_API_KEY" in (job.last_error or "")
    refund = only_refund(session)
    assert refund.status is RefundStatus.FAILED
    assert "RETURNS_STRIPE_API_KEY" in (refund.failure_reason or "")
    assert stripe.requests == []


def test_a_refund_whose_job_gave_up_on_stripe_5xx_is_failed_and_retried_with_the_same_key(
    app: Flask, shop: Shop, stripe: FakeStripe, inbox: Inbox, session: Session
) -> None:
    down = {"status": 500, "error": {"type": "api_error", "message": "Something went wrong"}}
    stripe.script = [down] * 3
    app.config["JOB_RETRIES"], saved = 2, app.config["JOB_RETRIES"]
    try:
        rma = keep_item_return(shop, _stripe_order(shop), "L2", 2, "emily@example.com")
        shop.run_jobs()
    finally:
        app.config["JOB_RETRIES"] = saved

    refund = only_refund(session)
    assert refund.status is RefundStatus.FAILED
    assert "Stripe answered 500" in (refund.failure_reason or "")
    assert _refund_job(session).status is MessageStatus.FAILED
    listed = shop.client.get("/api/v1/refunds?status=failed", headers=shop.agent)
    assert [r["id"] for r in listed.json] == [refund.id]

    retried = shop.client.post(f"/api/v1/refunds/{refund.id}/retry", json={}, headers=shop.agent)
    assert retried.status_code == 202, retried.json
    shop.run_jobs()

    # Stripe never answered definitively: the same key, so a refund it did make is replayed.
    assert stripe.keys() == [f"refund-{refund.id}"] * 4
    refund = only_refund(session)
    assert refund.status is RefundStatus.SUCCEEDED
    assert refund.order.refunded_amount == 2200 and len(stripe.created) == 1
    assert inbox.subjects().count(REFUND_MAIL) == 1
    kinds = [e["kind"] for e in shop.get(rma)["timeline"] if e["kind"].startswith("refund.")]
    assert kinds == ["refund.created", "refund.failed", "refund.retried", "refund.succeeded"]


def test_a_refund_job_reads_its_refund_order_customer_and_return_in_one_statement(
    app: Flask, shop: Shop, stripe: FakeStripe, session: Session
) -> None:
    order = _stripe_order(shop)
    keep_item_return(shop, order, "L2", 1, "emily@example.com")
    job_id = _refund_job(session).id  # read now: after the rollback it would be read again
    session.rollback()

    with app.app_context(), counted_statements(app) as sent:
        assert run_message(job_id) == "succeeded"

    selects = [" ".join(s.split()[:4]) for s in sent if s.lstrip().startswith("SELECT")]
    loaded = [s for s in sent if s.lstrip().startswith("SELECT refunds.")]
    assert len(loaded) == 1 and "FOR UPDATE OF refunds" in loaded[0]
    assert not [s for s in selects if s.startswith(("SELECT orders.", "SELECT customers."))]
    assert len(sent) <= 7, sent
