"""Refunds through Stripe's Refunds API, and the signature on Stripe's webhooks.

Stripe takes amounts in the currency's smallest unit, as we store them: cents for USD and
whole yen for JPY (a zero-decimal currency at Stripe), so an amount passes through as is.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import requests
from sqlalchemy.orm import Session

from returns_service.errors import PermanentJobError
from returns_service.refunds.models import RefundStatus
from returns_service.refunds.providers import (
    ProviderUnavailable,
    RefundCall,
    RefundOutcome,
)

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0
#: Stripe's libraries refuse signatures older than this; so do we.
SIGNATURE_TOLERANCE_SECONDS = 300

#: A Stripe refund's ``status`` as ours. ``requires_action``: the customer must give Stripe
#: bank details first; the refund is under way, not failed.
STATUSES = {
    "succeeded": RefundStatus.SUCCEEDED,
    "pending": RefundStatus.PROCESSING,
    "requires_action": RefundStatus.PROCESSING,
    "failed": RefundStatus.FAILED,
    "canceled": RefundStatus.FAILED,
}

_FAILURE_REASONS = {
    "lost_or_stolen_card": "the card was reported lost or stolen",
    "expired_or_canceled_card": "the card has expired or was cancelled",
    "charge_for_pending_refund_disputed": "the customer disputed the charge",
    "insufficient_funds": "the Stripe balance is too low",
    "declined": "the card issuer declined the refund",
    "merchant_request": "the refund was cancelled at the shop's request",
}


class SignatureError(ValueError):
    """A ``Stripe-Signature`` header that does not prove Stripe sent the body."""


def refund_outcome(refund: Mapping[str, Any]) -> RefundOutcome:
    """Our view of a Stripe Refund object."""
    status = STATUSES.get(refund.get("status") or "")
    if status is None:
        # A status added after this was written: the refund exists, so it is under way.
        log.warning("Stripe refund %s has status %r", refund.get("id"), refund.get("status"))
        status = RefundStatus.PROCESSING
    reason = None
    if status is RefundStatus.FAILED:
        code = refund.get("failure_reason") or "unknown"
        reason = (
            f"Stripe {refund['status']} the refund {refund.get('id')}: "
            f"{_FAILURE_REASONS.get(code, 'no reason given')} ({code})"
        )
    return RefundOutcome(status, reference=refund.get("id"), failure_reason=reason)


def refunds_in_event(event: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The Refund objects a webhook event carries: one, or a charge's list of refunds."""
    obj = (event.get("data") or {}).get("object") or {}
    if obj.get("object") == "refund":
        return [obj]
    if obj.get("object") == "charge":
        return list((obj.get("refunds") or {}).get("data") or [])
    return []


def verify_signature(
    secret: str,
    payload: bytes,
    header: str | None,
    now: float,
    tolerance: int = SIGNATURE_TOLERANCE_SECONDS,
) -> None:
    """Check a ``Stripe-Signature`` header (``t=<unix time>,v1=<hex>``); raise if it fails.

    ``v1`` is the hex HMAC-SHA256 of ``"<t>.<raw body>"`` with the endpoint's secret. Old
    timestamps are refused, so that a captured delivery cannot be replayed later.
    """
    if not secret:
        raise SignatureError("Stripe webhooks are not configured (RETURNS_STRIPE_WEBHOOK_SECRET)")
    if not header:
        raise SignatureError("the Stripe-Signature header is missing")
    timestamp, signatures = None, []
    for item in header.split(","):
        name, _, value = item.strip().partition("=")
        if name == "t":
            timestamp = value
        elif name == "v1":
            signatures.append(value)
    if timestamp is None or not timestamp.isdigit() or not signatures:
        raise SignatureError("the Stripe-Signature header needs t=<timestamp> and v1=<signature>")
    if abs(now - int(timestamp)) > tolerance:
        raise SignatureError(f"the Stripe-Signature timestamp is more than {tolerance} s off")
    signed = timestamp.encode() + b"." + payload
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, signature) for signature in signatures):
        raise SignatureError("the Stripe-Signature does not match the body")


def _error_message(response: requests.Response) -> str:
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    return error.get("message") or response.reason or f"HTTP {response.status_code}"


class _Http(threading.local):
    """One HTTP session per thread: a worker's refunds reuse its connection to Stripe
    (no TCP and TLS handshake per refund).

    What the environment says about a URL (proxies, CA bundle) is read at its first request
    and kept: requests otherwise reads every variable of the environment at each request.
    """

    def __init__(self) -> None:
        self.session = requests.Session()
        self.environment: dict[str, dict[str, Any]] = {}

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        environment = self.environment.get(url)
        if environment is None:
            self.session.trust_env = True
            environment = self.session.merge_environment_settings(url, {}, None, None, None)
            self.environment[url] = environment
            self.session.trust_env = False
        return self.session.post(url, **environment, **kwargs)


_http = _Http()


class StripeProvider:
    """Refunds a PaymentIntent (or a charge) at Stripe, once per attempt key."""

    name = "stripe"

    def __init__(self, *, api_base: str, api_key: str, timeout: float = TIMEOUT_SECONDS) -> None:
        self.url = api_base.rstrip("/") + "/v1/refunds"
        self.api_key = api_key
        self.timeout = timeout

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> StripeProvider:
        """The provider for the app's settings; without an API key the job fails for good."""
        if not config.get("STRIPE_API_KEY"):
            raise PermanentJobError("RETURNS_STRIPE_API_KEY is not set: cannot refund at Stripe")
        return cls(api_base=config["STRIPE_API_BASE"], api_key=config["STRIPE_API_KEY"])

    def refund(self, call: RefundCall) -> RefundOutcome:
        """POST /v1/refunds with the attempt's Idempotency-Key; Stripe replays a repeated key.

        Network errors, 409 (the same key in flight), 429 and 5xx raise
        :class:`ProviderUnavailable` and the job retries with the same key. Other 4xx answers
        (card and request errors) are a failed refund with Stripe's message.
        """
        reference = call.payment_reference
        if not reference:
            return RefundOutcome(
                RefundStatus.FAILED,
                failure_reason="the order has no Stripe payment reference to refund",
            )
        # Orders paid before PaymentIntents carry a charge id; Stripe refunds either.
        target = "charge" if reference.startswith(("ch_", "py_")) else "payment_intent"
        form = {
            target: reference,
            "amount": str(call.amount),
            "metadata[refund_id]": str(call.refund_id),
        }
        headers = {
            "Authorization": f"Bearer {self.api_key}",
            "Idempotency-Key": call.idempotency_key,
        }
        try:
            response = _http.post(self.url, data=form, headers=headers, timeout=self.timeout)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise ProviderUnavailable(f"Stripe could not be reached: {exc}") from exc
        except requests.RequestException as exc:
            raise PermanentJobError(f"the Stripe request is malformed: {exc}") from exc
        status = response.status_code
        if status in (409, 429) or status >= 500:
            raise ProviderUnavailable(f"Stripe answered {status}: {_error_message(response)}")
        if status >= 400:
            return RefundOutcome(
                RefundStatus.FAILED,
                failure_reason=f"Stripe refused the refund: {_error_message(response)}",
            )
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or body.get("object") != "refund":
            # Not Stripe's answer (a proxy in between?); the same key is safe to send again.
            raise ProviderUnavailable(f"Stripe answered {status} without a refund object")
        return refund_outcome(body)


def stripe_provider(session: Session, now: datetime, config: Mapping[str, Any]) -> StripeProvider:
    """The provider factory for orders paid through Stripe."""
    return StripeProvider.from_config(config)
