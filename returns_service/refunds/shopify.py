"""Refunds of Shopify orders through the Shopify Admin REST API (version 2024-04).

A refund here is an amount (after any fee, capped by what is left to refund), not a list of
lines: stock is our inventory's business. So Shopify is asked to calculate a refund of no
lines and no shipping, which answers the order's payment transactions with what each can
still refund, and the amount is spread over them.

Shopify takes no idempotency key for refunds. Ours goes into the refund's note, and the
order's refunds are listed before one is created: a refund that already carries the key is
answered instead of refunding again. The job holds the refund's row lock meanwhile, so no
other worker creates it between the lookup and the creation.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import requests
from sqlalchemy.orm import Session

from returns_service.errors import PermanentJobError
from returns_service.money import format_money, from_minor, to_minor
from returns_service.orders.shopify_admin import admin_session, admin_settings
from returns_service.refunds.models import RefundStatus
from returns_service.refunds.providers import (
    ProviderUnavailable,
    RefundCall,
    RefundOutcome,
)

TIMEOUT_SECONDS = 10.0
NOTE_PREFIX = "returns-service"

#: A refund transaction's ``status`` as ours.
TRANSACTION_STATUSES = {
    "success": RefundStatus.SUCCEEDED,
    "pending": RefundStatus.PROCESSING,
    "failure": RefundStatus.FAILED,
    "error": RefundStatus.FAILED,
}


class ShopifyRefused(Exception):
    """Shopify answered a 4xx: the refund cannot be made as asked; another try will not help."""


def note_for(key: str) -> str:
    """The note a refund is created with; it carries the idempotency key."""
    return f"{NOTE_PREFIX} {key}"


def carries_key(refund: Mapping[str, Any], key: str) -> bool:
    """Whether a Shopify refund was created for this key (``refund-1`` is not ``refund-1-1``)."""
    return key in (refund.get("note") or "").split()


def calculation_request(currency: str) -> dict[str, Any]:
    """The body of ``refunds/calculate.json``: no lines, no shipping, only the transactions."""
    return {"refund": {"currency": currency, "shipping": {"amount": 0}, "refund_line_items": []}}


def refund_transactions(
    calculated: Mapping[str, Any], amount: int, currency: str
) -> list[dict[str, Any]]:
    """Spread ``amount`` over the suggested transactions, each up to what it can refund.

    Raises ShopifyRefused when the order's payments cannot take the whole amount back.
    """
    remaining = amount
    transactions = []
    for suggested in calculated.get("transactions") or []:
        if remaining <= 0:
            break
        refundable = suggested.get("maximum_refundable", suggested.get("amount")) or 0
        part = min(remaining, to_minor(refundable, currency))
        if part <= 0:
            continue
        transactions.append(
            {
                "parent_id": suggested["parent_id"],
                "amount": from_minor(part, currency),
                "kind": "refund",
                "gateway": suggested["gateway"],
            }
        )
        remaining -= part
    if remaining > 0:
        raise ShopifyRefused(
            f"Shopify can refund at most {format_money(amount - remaining, currency)} "
            f"of this order, not {format_money(amount, currency)}"
        )
    return transactions


def refund_outcome(refund: Mapping[str, Any]) -> RefundOutcome:
    """Our view of a Shopify Refund: its refund transactions' statuses, the worst one wins."""
    reference = str(refund["id"])
    transactions = [t for t in refund.get("transactions") or [] if t.get("kind") == "refund"]
    if not transactions:
        return RefundOutcome(
            RefundStatus.FAILED,
            reference=reference,
            failure_reason=f"Shopify recorded refund {reference} without moving any money",
        )
    # A status Shopify adds later is taken as under way, not as done.
    statuses = [
        TRANSACTION_STATUSES.get(t.get("status"), RefundStatus.PROCESSING) for t in transactions
    ]
    if RefundStatus.FAILED in statuses:
        failed = [
            t
            for t in transactions
            if TRANSACTION_STATUSES.get(t.get("status")) is RefundStatus.FAILED
        ]
        details = "; ".join(
            f"{t.get('gateway')}: {t.get('message') or t.get('error_code') or t.get('status')}"
            for t in failed
        )
        return RefundOutcome(
            RefundStatus.FAILED,
            reference=reference,
            failure_reason=f"Shopify could not refund through {details}",
        )
    if RefundStatus.PROCESSING in statuses:
        return RefundOutcome(RefundStatus.PROCESSING, reference=reference)
    return RefundOutcome(RefundStatus.SUCCEEDED, reference=reference)


def _errors(response: requests.Response) -> str:
    """Shopify's ``errors``, a string, a list or a field -> messages object, as one line."""
    try:
        errors = response.json().get("errors")
    except (ValueError, AttributeError):
        errors = None
    if isinstance(errors, dict):
        parts = []
        for field, messages in errors.items():
            text = ", ".join(map(str, messages)) if isinstance(messages, list) else str(messages)
            parts.append(text if field == "base" else f"{field}: {text}")
        return "; ".join(parts)
    if isinstance(errors, list):
        return "; ".join(map(str, errors))
    return str(errors) if errors else (response.reason or f"HTTP {response.status_code}")


class ShopifyProvider:
    """Refunds a Shopify order's payments through Shopify, once per attempt key."""

    name = "shopify"

    def __init__(
        self, *, api_base: str, access_token: str, timeout: float = TIMEOUT_SECONDS
    ) -> None:
        self.base, self.http = admin_session(api_base, access_token)
        self.timeout = timeout

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ShopifyProvider:
        """The provider for the app's settings; without the shop's API the job fails for good."""
        return cls(**admin_settings(config, "refund at Shopify"))

    def refund(self, call: RefundCall) -> RefundOutcome:
        """Find the refund made for this key, or calculate and create it.

        Network errors, 429 and 5xx raise :class:`ProviderUnavailable` and the job retries;
        the lookup makes the retry safe. 4xx answers (422 with Shopify's ``errors``) are a
        failed refund with Shopify's message.
        """
        key = call.idempotency_key
        orders = f"/orders/{call.order_external_id}"
        try:
            listed = self._send("GET", f"{orders}/refunds.json", params={"limit": 250})
            existing = next((r for r in listed.get("refunds") or [] if carries_key(r, key)), None)
            if existing is not None:
                return refund_outcome(existing)
            calculated = self._send(
                "POST", f"{orders}/refunds/calculate.json", json=calculation_request(call.currency)
            )
            transactions = refund_transactions(
                calculated.get("refund") or {}, call.amount, call.currency
            )
            created = self._send(
                "POST",
                f"{orders}/refunds.json",
                json={
                    "refund": {
                        "currency": call.currency,
                        "notify": False,  # the customer hears from us, in their language
                        "note": note_for(key),
                        "transactions": transactions,
                    }
                },
            )
        except ShopifyRefused as exc:
            return RefundOutcome(RefundStatus.FAILED, failure_reason=str(exc))
        if not isinstance(created.get("refund"), dict) or "id" not in created["refund"]:
            # The lookup finds it next time, if Shopify did create it.
            raise ProviderUnavailable("Shopify answered the refund without a refund object")
        return refund_outcome(created["refund"])

    def _send(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        what = f"Shopify {method} {path}"
        try:
            response = self.http.request(method, self.base + path, timeout=self.timeout, **kwargs)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise ProviderUnavailable(f"{what} failed: {exc}") from exc
        except requests.RequestException as exc:
            raise PermanentJobError(f"{what} is malformed: {exc}") from exc
        status = response.status_code
        if status == 429 or status >= 500:
            raise ProviderUnavailable(f"{what} answered {status}: {_errors(response)}")
        if status >= 400:
            raise ShopifyRefused(f"Shopify answered {status}: {_errors(response)}")
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise ProviderUnavailable(f"{what} answered {status} without a JSON object")
        return body


def shopify_provider(session: Session, now: datetime, config: Mapping[str, Any]) -> ShopifyProvider:
    """The provider factory for orders paid through Shopify."""
    return ShopifyProvider.from_config(config)
