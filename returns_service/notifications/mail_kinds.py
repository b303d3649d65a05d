"""The kinds of customer e-mail, the context each takes, and the check of a context."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from returns_service.config import LOCALES


@dataclass(frozen=True)
class MailKind:
    """The context keys one kind of e-mail takes, besides ``customer_name``."""

    required: tuple[str, ...] = ()
    #: Keys that may be left out; the template sees them as None.
    optional: tuple[str, ...] = ()
    #: Keys whose value must be one of a few strings.
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: Keys required only when another key has a given value: ``{(key, value): keys}``.
    required_when: Mapping[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)

    def keys(self) -> set[str]:
        """Every key this kind accepts."""
        return {*COMMON_KEYS, *COMMON_OPTIONAL, *self.required, *self.optional}


#: Every e-mail is addressed to a person by name (``様`` is added by the Japanese layout).
COMMON_KEYS = ("customer_name",)
#: Any e-mail may name the request whose status page it links to (``links.status_link``);
#: the link is signed when the e-mail is rendered (see the layout).
COMMON_OPTIONAL = ("status_link",)
#: Filled in from the settings when rendering; a caller may not pass them.
SETTINGS_KEYS = ("shop_name", "public_url", "locale", "timezone", "status_url")
#: Keys holding money in the API's shape ``{"amount": <minor units>, "currency": "JPY"}``.
MONEY_KEYS = frozenset({"refund"})

_RMA = ("rma", "order_number")

KINDS: dict[str, MailKind] = {
    # Returns: ``items`` is a list of ``{"name": str, "quantity": int}``.
    # ``reply_days`` and ``reply_by``: the desk's promise, for a request left to a person.
    "return_received": MailKind(required=(*_RMA, "items"), optional=("reply_days", "reply_by")),
    "return_approved": MailKind(
        required=(*_RMA, "method", "items"),
        optional=(
            "pickup_date",
            "pickup_slot",
            "pickup_address",
            "carrier",
            "return_address",
            "deadline",
            "label_url",
            "slip",
        ),
        choices={"method": ("pickup", "dropoff", "none")},
        required_when={
            ("method", "pickup"): ("pickup_date", "pickup_slot", "pickup_address"),
            ("method", "dropoff"): ("return_address",),
        },
    ),
    "return_rejected": MailKind(required=(*_RMA, "message")),
    "return_review": MailKind(required=_RMA),
    "return_in_transit": MailKind(required=_RMA, optional=("carrier", "tracking_number")),
    "return_received_at_warehouse": MailKind(required=_RMA),
    "refund_issued": MailKind(
        required=("order_number", "refund", "method"),
        optional=("rma", "store_credit_code"),
        choices={"method": ("original_payment", "store_credit")},
        required_when={("method", "store_credit"): ("store_credit_code",)},
    ),
    "exchange_shipped": MailKind(
        required=(*_RMA, "items"), optional=("carrier", "tracking_number", "tracking_url")
    ),
    "return_expired": MailKind(required=_RMA, optional=("deadline",)),
    "return_cancelled": MailKind(required=_RMA),
    # Cancellations of orders and subscriptions.
    "order_cancelled": MailKind(required=("order_number", "items"), optional=("refund",)),
    "cancellation_pending_stop": MailKind(required=("order_number", "items")),
    "cancellation_stop_failed": MailKind(required=("order_number", "items")),
    "subscription_paused": MailKind(required=("subscription_name",), optional=("resume_date",)),
    "subscription_skipped": MailKind(
        required=("subscription_name", "skipped_date"), optional=("next_date",)
    ),
    "subscription_switched": MailKind(
        required=("subscription_name", "new_product"), optional=("next_date",)
    ),
    "subscription_discounted": MailKind(
        required=("subscription_name", "discount_percent", "discount_deliveries"),
        optional=("next_date",),
    ),
    "subscription_cancelled": MailKind(required=("subscription_name",), optional=("last_date",)),
    # Cases. ``cases`` lists overdue cases for the agents (``customer_name`` is the agent's);
    # ``links`` is one signed answer link per score, lowest first.
    "cases_overdue": MailKind(required=("cases",)),
    # ``jumps`` lists products whose return rate or reason share jumped (insight.jumps).
    "return_rate_jump": MailKind(required=("jumps",)),
    "satisfaction_survey": MailKind(
        required=("reference", "scale", "links"), choices={"scale": ("csat", "nps")}
    ),
    # To admins: an outbound webhook endpoint that failed for a day was switched off.
    "webhook_endpoint_disabled": MailKind(
        required=("endpoint_url", "endpoint_id", "since", "last_error")
    ),
}


def check_context(kind: str, locale: str, context: Mapping[str, Any]) -> dict[str, Any]:
    """Check a context against its kind; returns it JSON-ready with optional keys filled.

    Dates and times become ISO strings (times must carry a time zone), so the context can
    travel in an outbox payload and be rendered later by a worker.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown e-mail kind {kind!r}")
    if locale not in LOCALES:
        raise ValueError(f"unknown locale {locale!r}: use one of {', '.join(LOCALES)}")
    spec = KINDS[kind]
    reserved = sorted(set(context) & set(SETTINGS_KEYS))
    if reserved:
        raise ValueError(f"e-mail {kind!r}: {', '.join(reserved)} come from the settings")
    unknown = sorted(set(context) - spec.keys())
    if unknown:
        raise ValueError(f"e-mail {kind!r} does not take {', '.join(unknown)}")
    missing = [key for key in (*COMMON_KEYS, *spec.required) if context.get(key) is None]
    for (key, value), keys in spec.required_when.items():
        if context.get(key) == value:
            missing += [k for k in keys if context.get(k) is None]
    if missing:
        raise ValueError(f"e-mail {kind!r} needs {', '.join(missing)}")
    for key, allowed in spec.choices.items():
        if context[key] not in allowed:
            raise ValueError(
                f"e-mail {kind!r}: {key} must be one of {', '.join(allowed)}, got {context[key]!r}"
            )
    for key in MONEY_KEYS & set(context):
        value = context[key]
        if value is not None and not (
            isinstance(value, Mapping)
            and isinstance(value.get("amount"), int)
            and isinstance(value.get("currency"), str)
        ):
            raise ValueError(f"e-mail {kind!r}: {key} must be {{'amount': int, 'currency': str}}")
    full = {key: None for key in (*COMMON_OPTIONAL, *spec.optional)} | dict(context)
    try:
        return json.loads(json.dumps(full, default=_json_default, ensure_ascii=False))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"e-mail {kind!r}: the context is not JSON-serialisable: {exc}") from None


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: times must carry a time zone")
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} {value!r} is not JSON-serialisable")
