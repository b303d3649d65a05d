"""End to end: returns on Shopify orders are refunded through a loopback Shopify Admin API."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.outbox import MessageStatus, OutboxMessage, handler_for
from returns_service.refunds.models import RefundStatus
from returns_service.shop import shop_settings
from returns_service.worker import run_message
from tests.refunds.conftest import (
    SHOPIFY_ORDER,
    FakeShopify,
    keep_item_return,
    only_refund,
    put_paid_order,
)
from tests.shop import Inbox, Shop

REFUND_MAIL = "Your refund for order #1001 has been issued"
#: The parent transaction and gateway of Shopify's calculate example.
PARENT = {"parent_id": 801038806, "gateway": "bogus"}


def _shopify_order(shop: Shop, unit_cents: int = 625, quantity: int = 2) -> dict[str, Any]:
    """Shopify's example order 450789469 (#1001), paid in USD; the line costs under $10."""
    line = {
        "external_id": "518995019",
        "sku": "IPOD2008RED",
        "title": "IPod Nano - 8gb - red",
        "quantity": quantity,
        "unit_price": {"amount": unit_cents, "currency": "USD"},
    }
    return put_paid_order(
        shop,
        "shopify",
        SHOPIFY_ORDER,
        external_id=SHOPIFY_ORDER,
        number="#1001",
        email_address="emily@example.com",
        locale="en",
        currency="USD",
        lines=[line],
    )


def _refund_job(session: Session) -> OutboxMessage:
    session.expire_all()
    return session.scalars(select(OutboxMessage).where(OutboxMessage.job == "issue_refund")).one()


def _ours(shopify: FakeShopify) -> list[dict[str, Any]]:
    return [r for r in shopify.refunds if (r.get("note") or "").startswith("returns-service")]


def test_a_shopify_order_is_refunded_by_calculate_and_create_once_through_reruns_and_a_crash(
    app: Flask, shop: Shop, shopify: FakeShopify, inbox: Inbox, session: Session
) -> None:
    keep_item_return(shop, _shopify_order(shop), "518995019", 2, "emily@example.com")
    refund_id = only_refund(session).id

    # The worker dies after Shopify created the refund, before its transaction commits.
    with app.app_context():
        handler_for("issue_refund")(db.session, utcnow(), shop_settings(app), refund_id=refund_id)
        db.session.rollback()
    assert only_refund(session).status is RefundStatus.PENDING

    shop.run_jobs()  # the job runs again and finds the refund carrying its key
    with app.app_context():
        assert run_message(_refund_job(session).id) == "succeeded"

    assert [(method, path) for method, path, _ in shopify.requests] == [
        ("GET", "/refunds.json"),
        ("POST", "/refunds/calculate.json"),
        ("POST", "/refunds.json"),
        ("GET", "/refunds.json"),
    ]
    assert shopify.posted("/refunds/calculate.json") == [
        {"refund": {"currency": "USD", "shipping": {"amount": 0}, "refund_line_items": []}}
    ]
    assert shopify.posted("/refunds.json") == [
        {
            "refund": {
                "currency": "USD",
                "notify": False,
                "note": f"returns-service refund-{refund_id}",
                "transactions": [{**PARENT, "amount": "12.50", "kind": "refund"}],
            }
        }
    ]
    [created] = _ours(shopify)
    refund = only_refund(session)
    assert (refund.status, refund.provider, refund.provider_reference) == (
        RefundStatus.SUCCEEDED,
        "shopify",
        str(created["id"]),
    )
    assert refund.order.refunded_amount == 1250
    assert inbox.subjects().count(REFUND_MAIL) == 1


def test_a_lost_answer_to_the_create_is_retried_and_refunds_once(
    shop: Shop, shopify: FakeShopify, session: Session
) -> None:
    shopify.lost_answer = 502  # Shopify refunds, but the answer never arrives
    keep_item_return(shop, _shopify_order(shop), "518995019", 2, "emily@example.com")

    shop.run_jobs()

    assert len(shopify.posted("/refunds.json")) == 1
    assert len(_ours(shopify)) == 1
    assert only_refund(session).status is RefundStatus.SUCCEEDED
    job = _refund_job(session)
    assert (job.status, job.attempts) == (MessageStatus.SUCCEEDED, 2)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/refunds.json", 503), ("POST", "/refunds/calculate.json", 429)],
)
def test_shopify_unavailable_then_up_is_retried(
    shop: Shop, shopify: FakeShopify, session: Session, method: str, path: str, status: int
) -> None:
    shopify.outages[(method, path)] = status
    keep_item_return(shop, _shopify_order(shop), "518995019", 2, "emily@example.com")

    shop.run_jobs()

    assert only_refund(session).status is RefundStatus.SUCCEEDED
    assert len(_ours(shopify)) == 1
    assert _refund_job(session).attempts == 2


def test_a_refund_shopify_refuses_fails_with_shopifys_errors(
    shop: Shop, shopify: FakeShopify, inbox: Inbox, session: Session
) -> None:
    shopify.refusal = {"base": ["Refund amount must be less than the amount paid"]}
    keep_item_return(shop, _shopify_order(shop), "518995019", 2, "emily@example.com")

    shop.run_jobs()

    refund = only_refund(session)
    assert (refund.status, refund.failure_reason) == (
        RefundStatus.FAILED,
        "Shopify answered 422: Refund amount must be less than the amount paid",
    )
    assert _refund_job(session).attempts == 1  # not retried
    assert REFUND_MAIL not in inbox.subjects()


def test_more_than_the_payments_can_take_back_fails_without_refunding(
    shop: Shop, shopify: FakeShopify, session: Session
) -> None:
    keep_item_return(shop, _shopify_order(shop, 900, 5), "518995019", 5, "emily@example.com")

    shop.run_jobs()

    refund = only_refund(session)
    assert (refund.status, refund.failure_reason) == (
        RefundStatus.FAILED,
        "Shopify can refund at most 41.94 USD of this order, not 45.00 USD",
    )
    assert shopify.posted("/refunds.json") == []


def test_a_pending_shopify_refund_is_processing_and_a_failed_one_is_retried_by_staff(
    shop: Shop, shopify: FakeShopify, inbox: Inbox, session: Session
) -> None:
    shopify.transaction_status = "failure"
    shopify.transaction_message = "Bogus Gateway: Forced failure"
    keep_item_return(shop, _shopify_order(shop), "518995019", 2, "emily@example.com")
    shop.run_jobs()

    refund = only_refund(session)
    assert (refund.status, refund.failure_reason) == (
        RefundStatus.FAILED,
        "Shopify could not refund through bogus: Bogus Gateway: Forced failure",
    )

    shopify.transaction_status = "pending"
    retried = shop.client.post(f"/api/v1/refunds/{refund.id}/retry", json={}, headers=shop.agent)
    assert retried.status_code == 202, retried.json
    shop.run_jobs()

    notes = [body["refund"]["note"] for body in shopify.posted("/refunds.json")]
    assert notes == [f"returns-service refund-{refund.id}", f"returns-service refund-{refund.id}-1"]
    refund = only_refund(session)
    assert (refund.status, refund.provider_reference) == (
        RefundStatus.PROCESSING,
        str(_ours(shopify)[1]["id"]),
    )
    assert REFUND_MAIL not in inbox.subjects()
