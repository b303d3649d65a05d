"""Outbound webhook signatures as a receiver checks them, and the event names allowed."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

import pytest

from returns_service.models import utcnow
from returns_service.notifications.webhooks import queue_webhook, sign, verify
from tests.notifications.outbound import SECRET


def test_sign_is_hmac_sha256_of_timestamp_dot_body() -> None:
    body = b'{"id":"d1"}'
    expected = hmac.new(b"whsec", b'1700000000.{"id":"d1"}', hashlib.sha256).hexdigest()

    assert sign("whsec", 1700000000, body) == f"t=1700000000,v1={expected}"


def test_verify_accepts_a_fresh_matching_signature_only() -> None:
    body = '{"event":"return.approved","data":{"name":"花子"}}'.encode()
    header = sign(SECRET, 1700000000, body)

    assert verify(SECRET, header, body, now=1700000000 + 299)
    assert verify(SECRET, header, body, now=datetime.fromtimestamp(1700000000, UTC))
    assert not verify(SECRET, header, body + b" ", now=1700000000)
    assert not verify("another-secret", header, body, now=1700000000)
    assert not verify(SECRET, header, body, now=1700000000 + 301)
    assert not verify(SECRET, header, body, tolerance=10, now=1700000000 - 11)


@pytest.mark.parametrize(
    "header", [None, "", "garbage", "t=abc,v1=00", "v1=00", "t=1700000000", "t=1700000000,v0=00"]
)
def test_verify_refuses_malformed_headers(header: str | None) -> None:
    assert not verify(SECRET, header, b"{}", now=1700000000)


def test_verify_accepts_any_of_several_signatures() -> None:
    body = b"{}"
    good = sign(SECRET, 1700000000, body).split(",")[1]
    old = sign("old-secret", 1700000000, body).split(",")[1]

    assert verify(SECRET, f"t=1700000000,{old},{good}", body, now=1700000000)


@pytest.mark.parametrize("event", ["Return.Approved", "return", "return.approved.x", "a.b-c"])
def test_event_names_are_checked(event: str) -> None:
    with pytest.raises(ValueError, match="is not an event name"):
        queue_webhook(None, utcnow(), event, {})  # type: ignore[arg-type]
