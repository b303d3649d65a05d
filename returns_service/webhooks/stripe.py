"""Stripe's webhooks about refunds: a refund under way settles when Stripe says how it ended."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from http import HTTPStatus
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.errors import error_body
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.refunds.models import Refund, RefundStatus
from returns_service.refunds.operations import settle_refund
from returns_service.refunds.stripe import (
    SignatureError,
    refund_outcome,
    refunds_in_event,
    verify_signature,
)

log = logging.getLogger(__name__)
bp = Blueprint("stripe_webhooks", __name__)

#: Events that carry a Refund object, or a charge with the list of its refunds.
REFUND_EVENTS = frozenset(
    {"charge.refund.updated", "charge.refunded", "refund.updated", "refund.failed"}
)


def _error(status: HTTPStatus, message: str) -> ResponseReturnValue:
    return jsonify(error_body(status, message)), status.value


def _sent_but_not_recorded(session: Session, stripe_refund: dict[str, Any]) -> bool:
    """Whether the Stripe refund is ours and its job has not recorded Stripe's answer yet."""
    refund_id = str((stripe_refund.get("metadata") or {}).get("refund_id", ""))
    refund = session.get(Refund, int(refund_id)) if refund_id.isdigit() else None
    return (
        refund is not None and refund.provider == "stripe" and refund.status is RefundStatus.PENDING
    )


def apply_stripe_refund(session: Session, now: datetime, stripe_refund: dict[str, Any]) -> str:
    """Settle our refund from the Stripe Refund it was paid with; say what happened.

    Only a refund under way (processing) moves, so a repeated or out-of-date delivery
    changes nothing. Answers ``succeeded``/``failed`` (settled), ``unchanged``, ``unknown``
    (not one of ours) or ``early`` (ours, but the job sending it has not recorded it yet).
    """
    reference = stripe_refund.get("id")
    refund = None
    if reference:
        refund = session.scalar(
            select(Refund)
            .where(Refund.provider == "stripe", Refund.provider_reference == reference)
            .with_for_update()
        )
    if refund is None:
        return "early" if _sent_but_not_recorded(session, stripe_refund) else "unknown"
    outcome = refund_outcome(stripe_refund)
    if refund.status is not RefundStatus.PROCESSING or outcome.status is RefundStatus.PROCESSING:
        if refund.status is RefundStatus.SUCCEEDED and outcome.status is RefundStatus.FAILED:
            # Rare (the card was closed after the refund went out); money is owed again.
            log.error("refund %s succeeded but Stripe now reports it %s", refund.id, reference)
        return "unchanged"
    settle_refund(session, now, refund, outcome.status, outcome.failure_reason)
    return outcome.status.value


@bp.post("/webhooks/stripe")
def receive_stripe_webhook() -> ResponseReturnValue:
    """Apply one Stripe webhook delivery, after checking its signature."""
    body = request.get_data(cache=False)
    now = utcnow()
    try:
        verify_signature(
            current_app.config["STRIPE_WEBHOOK_SECRET"],
            body,
            request.headers.get("Stripe-Signature"),
            now.timestamp(),
        )
    except SignatureError as exc:
        return _error(HTTPStatus.BAD_REQUEST, str(exc))
    try:
        event = json.loads(body)
    except ValueError as exc:
        return _error(HTTPStatus.BAD_REQUEST, f"the body is not JSON: {exc}")
    if not isinstance(event, dict):
        return _error(HTTPStatus.BAD_REQUEST, "the body must be a Stripe event object")
    kind = event.get("type")
    if kind not in REFUND_EVENTS:
        return jsonify(status="ignored", type=kind)
    results = {
        str(stripe_refund.get("id")): apply_stripe_refund(db.session, now, stripe_refund)
        for stripe_refund in refunds_in_event(event)
    }
    db.session.commit()
    if "early" in results.values():
        # Stripe delivers again later, by when the job has recorded the refund's id.
        return _error(
            HTTPStatus.CONFLICT, "a refund in this event is still being sent; deliver it again"
        )
    return jsonify(status="processed", type=kind, refunds=results)
