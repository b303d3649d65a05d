"""Stripe's signed webhooks settle refunds that were still under way."""

from __future__ import annotations

import copy
import json
import time

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from returns_service.events import Event
from returns_service.refunds.models import RefundStatus
from tests.conftest import shared_fixture_path
from tests.refunds.conftest import (
    FakeStripe,
    keep_item_return,
    only_refund,
    put_paid_order,
    shared_json,
    stripe_signature,
)
from tests.shop import Inbox, Shop

REFUND_UPDATED = "webhookdb__stripe_event_charge.refund.updated.json"
CHARGE_REFUNDED = "webhookdb__stripe_event_charge.refunded_with_refund_list.json"
REFUND_MAIL = "Your refund for order #5001 has been issued"


def _pending_stripe_refund(shop: Shop, stripe: FakeStripe, stripe_refund_id: str) -> None:
    """A returned mug refunded at Stripe, which answered ``pending`` with this refund id."""
    stripe.script = [{"status": "pending", "id": stripe_refund_id}]
    order = put_paid_order(
        shop,
        "stripe",
        "pi_3MtwBwLkdIwHu7ix28a3tqPa",
        email_address="emily@example.com",
        locale="en",
    )
    keep_item_return(shop, order, "L2", 1, "emily@example.com")
    shop.run_jobs()


def _deliver(client: FlaskClient, body: bytes, signature: str | None = None):
    return client.post(
        "/webhooks/stripe",
        data=body,
        content_type="application/json",
        headers={"Stripe-Signature": signature or stripe_signature(body)},
    )


def _events(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Event))


def test_a_signed_charge_refund_updated_settles_a_pending_refund_once(
    shop: Shop, stripe: FakeStripe, inbox: Inbox, session: Session
) -> None:
    raw = shared_fixture_path(REFUND_UPDATED).read_bytes()  # the real event, byte for byte
    stripe_refund_id = json.loads(raw)["data"]["object"]["id"]
    _pending_stripe_refund(shop, stripe, stripe_refund_id)
    assert only_refund(session).status is RefundStatus.PROCESSING

    forged = _deliver(shop.client, raw, stripe_signature(raw, secret="whsec_someone_else"))
    stale = _deliver(shop.client, raw, stripe_signature(raw, at=int(time.time()) - 301))
    unsigned = shop.client.post("/webhooks/stripe", data=raw, content_type="application/json")

    assert (forged.status_code, forged.json["message"]) == (
        400,
        "the Stripe-Signature does not match the body",
    )
    assert stale.status_code == 400
    assert "more than 300 s" in stale.json["message"]
    assert (unsigned.status_code, unsigned.json["message"]) == (
        400,
        "the Stripe-Signature header is missing",
    )
    assert only_refund(session).status is RefundStatus.PROCESSING
    assert REFUND_MAIL not in inbox.subjects()

    before = _events(session)
    delivered = _deliver(shop.client, raw)
    assert delivered.status_code == 200, delivered.json
    assert delivered.json["refunds"] == {stripe_refund_id: "succeeded"}
    refund = only_refund(session)
    assert refund.status is RefundStatus.SUCCEEDED
    assert refund.order.refunded_amount == 1100
    shop.run_jobs()
    assert inbox.subjects().count(REFUND_MAIL) == 1

    settled = _events(session)
    again = _deliver(shop.client, raw)
    assert again.json["refunds"] == {stripe_refund_id: "unchanged"}
    shop.run_jobs()
    assert _events(session) == settled == before + 1  # the one refund.succeeded
    assert inbox.subjects().count(REFUND_MAIL) == 1


def test_charge_refunded_settles_the_refunds_in_its_list(
    shop: Shop, stripe: FakeStripe, session: Session
) -> None:
    raw = shared_fixture_path(CHARGE_REFUNDED).read_bytes()
    [listed] = json.loads(raw)["data"]["object"]["refunds"]["data"]
    _pending_stripe_refund(shop, stripe, listed["id"])

    delivered = _deliver(shop.client, raw)

    assert delivered.status_code == 200, delivered.json
    assert delivered.json == {
        "status": "processed",
        "type": "charge.refunded",
        "refunds": {listed["id"]: "succeeded"},
    }
    assert only_refund(session).status is RefundStatus.SUCCEEDED


def test_refund_failed_fails_the_refund_with_stripes_reason(
    shop: Shop, stripe: FakeStripe, inbox: Inbox, session: Session
) -> None:
    stripe_refund = shared_json("stripe_openapi__fixtures3__refund_object.json")["refund"]
    stripe_refund.update(status="failed", failure_reason="lost_or_stolen_card")
    _pending_stripe_refund(shop, stripe, stripe_refund["id"])
    event = {
        "id": "evt_1Returns",
        "object": "event",
        "type": "refund.failed",
        "data": {"object": stripe_refund},
    }

    delivered = _deliver(shop.client, json.dumps(event).encode())

    assert delivered.json["refunds"] == {stripe_refund["id"]: "failed"}
    refund = only_refund(session)
    assert refund.status is RefundStatus.FAILED
    assert refund.failure_reason == (
        f"Stripe failed the refund {stripe_refund['id']}: "
        "the card was reported lost or stolen (lost_or_stolen_card)"
    )
    shop.run_jobs()
    assert REFUND_MAIL not in inbox.subjects()
    listed = shop.client.get("/api/v1/refunds?status=failed", headers=shop.agent).json
    assert [r["failure_reason"] for r in listed] == [refund.failure_reason]


def test_events_about_refunds_we_do_not_know_are_acknowledged_and_ignored(
    shop: Shop, stripe: FakeStripe, session: Session
) -> None:
    _pending_stripe_refund(shop, stripe, "re_3Ours")
    before = _events(session)

    unknown = _deliver(shop.client, shared_fixture_path(REFUND_UPDATED).read_bytes())
    other_type = _deliver(
        shop.client, json.dumps({"type": "customer.created", "data": {"object": {}}}).encode()
    )

    assert unknown.status_code == 200
    assert unknown.json["refunds"] == {"re_3OIj0MLelvCURGkU0FusiZvO": "unknown"}
    assert (other_type.status_code, other_type.json["status"]) == (200, "ignored")
    assert only_refund(session).status is RefundStatus.PROCESSING
    assert _events(session) == before


def test_an_event_about_a_refund_still_being_sent_is_asked_again_later(
    shop: Shop, stripe: FakeStripe, session: Session
) -> None:
    order = put_paid_order(shop, "stripe", "pi_3MtwBwLkdIwHu7ix28a3tqPa")
    keep_item_return(shop, order, "L2", 1)  # the job has not run: the refund is pending
    refund = only_refund(session)
    event = copy.deepcopy(shared_json(REFUND_UPDATED))
    event["data"]["object"]["metadata"] = {"refund_id": str(refund.id)}

    early = _deliver(shop.client, json.dumps(event).encode())

    assert early.status_code == 409  # Stripe delivers again, after the job recorded the id
    assert only_refund(session).status is RefundStatus.PENDING
