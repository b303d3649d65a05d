"""Stripe's and Shopify's refund payloads as our outcomes, and Stripe's signature check."""

from __future__ import annotations

import hashlib
import hmac
import json
import re

import pytest

from returns_service.money import from_minor, to_minor
from returns_service.refunds.models import RefundStatus
from returns_service.refunds.shopify import (
    ShopifyRefused,
    carries_key,
    note_for,
    refund_transactions,
)
from returns_service.refunds.shopify import refund_outcome as shopify_outcome
from returns_service.refunds.stripe import (
    STATUSES,
    SignatureError,
    refunds_in_event,
    verify_signature,
)
from returns_service.refunds.stripe import refund_outcome as stripe_outcome
from tests.conftest import shared_fixture_path

SECRET = "whsec_test_secret"
NOW = 1_703_684_780


def _json(name: str) -> dict:
    return json.loads(shared_fixture_path(name).read_text(encoding="utf-8"))


def _signed(body: bytes, at: int = NOW, secret: str = SECRET) -> str:
    digest = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [(1250, "USD", "12.50"), (5, "USD", "0.05"), (1200, "JPY", "1200"), (1234, "KWD", "1.234")],
)
def test_minor_units_are_written_as_decimal_strings_and_read_back(
    amount: int, currency: str, text: str
) -> None:
    assert from_minor(amount, currency) == text
    assert to_minor(text, currency) == amount


def test_stripes_refund_fixture_is_a_success_with_its_id() -> None:
    refund = _json("stripe_openapi__fixtures3__refund_object.json")["refund"]
    outcome = stripe_outcome(refund)
    assert (outcome.status, outcome.reference, outcome.failure_reason) == (
        RefundStatus.SUCCEEDED,
        "re_1Pgc72B7WZ01zgkWqPvrRrPE",
        None,
    )


def test_every_refund_status_in_stripes_schema_is_mapped() -> None:
    schema = _json("stripe_openapi_spec3_2022-04-12__refund_schemas.json")["refund"]
    described = schema["properties"]["status"]["description"]
    named = set(re.findall(r"`(\w+)`", described))
    assert named == {"pending", "succeeded", "failed", "canceled"}
    assert named <= set(STATUSES)
    assert STATUSES["requires_action"] is RefundStatus.PROCESSING  # added after 2022


def test_a_failed_stripe_refund_names_its_reason() -> None:
    refund = _json("stripe_openapi__fixtures3__refund_object.json")["refund"]
    failed = stripe_outcome(dict(refund, status="failed", failure_reason="unknown"))
    canceled = stripe_outcome(dict(refund, status="canceled"))
    assert failed.status is RefundStatus.FAILED
    assert failed.failure_reason == (
        "Stripe failed the refund re_1Pgc72B7WZ01zgkWqPvrRrPE: no reason given (unknown)"
    )
    assert canceled.status is RefundStatus.FAILED


def test_events_carry_one_refund_or_a_charges_list() -> None:
    updated = _json("webhookdb__stripe_event_charge.refund.updated.json")
    refunded = _json("webhookdb__stripe_event_charge.refunded_with_refund_list.json")
    assert [r["id"] for r in refunds_in_event(updated)] == ["re_3OIj0MLelvCURGkU0FusiZvO"]
    assert [r["id"] for r in refunds_in_event(refunded)] == ["re_3NtYaBLelvCURGkU1ug4Q86u"]
    assert refunds_in_event({"type": "customer.created", "data": {"object": {}}}) == []


def test_a_stripe_signature_over_the_timestamp_and_body_passes() -> None:
    body = shared_fixture_path("webhookdb__stripe_event_charge.refund.updated.json").read_bytes()
    verify_signature(SECRET, body, _signed(body), NOW)
    verify_signature(SECRET, body, _signed(body), NOW + 300)
    # While a secret is rolled, Stripe signs with both: one matching v1 is enough.
    rolled = _signed(body, secret="whsec_old") + "," + _signed(body).split(",")[1]
    verify_signature(SECRET, body, rolled, NOW)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "header is missing"),
        ("v1=abc", "needs t=<timestamp> and v1=<signature>"),
        ("t=now,v1=abc", "needs t=<timestamp> and v1=<signature>"),
        ("t=1703684780,v0=abc", "needs t=<timestamp> and v1=<signature>"),
        ("t=1703684479,v1=abc", "more than 300 s off"),
        ("t=1703684780,v1=abc", "does not match the body"),
    ],
)
def test_bad_stripe_signatures_are_refused(header: str | None, message: str) -> None:
    with pytest.raises(SignatureError, match=re.escape(message)):
        verify_signature(SECRET, b"{}", header, NOW)


def test_stripes_documented_example_header_is_refused_with_another_secret() -> None:
    vectors = _json("webhook_signature_test_vectors__shopify_hmac_and_stripe.json")
    header = vectors["stripe_examples"][0]["header"]
    at = int(header.split(",")[0].removeprefix("t="))
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(SECRET, b'{"data": "asdfghujkl"}', header, at)
    with pytest.raises(SignatureError, match="not configured"):
        verify_signature("", b"{}", header, at)


def test_an_amount_is_taken_from_the_transaction_shopify_suggests() -> None:
    calculated = _json("shopify_python_api__refund_calculate_response.json")["refund"]
    parent = {"parent_id": 801038806, "kind": "refund", "gateway": "bogus"}
    assert refund_transactions(calculated, 1250, "USD") == [{**parent, "amount": "12.50"}]
    assert refund_transactions(calculated, 4194, "USD") == [{**parent, "amount": "41.94"}]
    with pytest.raises(ShopifyRefused, match="at most 41.94 USD of this order, not 41.95 USD"):
        refund_transactions(calculated, 4195, "USD")


def test_an_amount_is_spread_over_several_payments() -> None:
    calculated = {
        "transactions": [
            {"parent_id": 1, "gateway": "gift_card", "amount": "0.00", "maximum_refundable": "10"},
            {"parent_id": 2, "gateway": "shopify_payments", "maximum_refundable": "50.00"},
        ]
    }
    assert refund_transactions(calculated, 2500, "USD") == [
        {"parent_id": 1, "amount": "10.00", "kind": "refund", "gateway": "gift_card"},
        {"parent_id": 2, "amount": "15.00", "kind": "refund", "gateway": "shopify_payments"},
    ]


def test_shopifys_refund_fixture_is_a_success_found_by_its_note_only() -> None:
    refund = _json("shopify_python_api__refund.json")["refund"]
    outcome = shopify_outcome(refund)
    assert (outcome.status, outcome.reference) == (RefundStatus.SUCCEEDED, "509562969")
    assert not carries_key(refund, "refund-1")
    assert carries_key({"note": note_for("refund-1")}, "refund-1")
    assert not carries_key({"note": note_for("refund-1-1")}, "refund-1")
    assert not carries_key({"note": note_for("refund-12")}, "refund-1")


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["success", "success"], RefundStatus.SUCCEEDED),
        (["success", "pending"], RefundStatus.PROCESSING),
        (["pending", "error"], RefundStatus.FAILED),
        ([], RefundStatus.FAILED),
    ],
)
def test_the_worst_transaction_decides_a_shopify_refund(
    statuses: list[str], expected: RefundStatus
) -> None:
    refund = {
        "id": 1,
        "transactions": [
            {"kind": "refund", "status": status, "gateway": "bogus", "message": None}
            for status in statuses
        ],
    }
    assert shopify_outcome(refund).status is expected
