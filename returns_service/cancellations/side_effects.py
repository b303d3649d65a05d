"""Cancelling an order at Shopify that gave up: shown on the cancellation, retried from it.

The money is settled by the refund (with its own failed state and retry); this is the
order's cancellation in the shop's Shopify admin, done by the ``cancel_shopify_order`` job.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from returns_service import outbox
from returns_service.cancellations import states
from returns_service.cancellations.models import Cancellation
from returns_service.errors import Conflict
from returns_service.returns.side_effects import failure_reason

SHOPIFY_JOBS = ("cancel_shopify_order",)


def shopify_cancel_gave_up(
    session: Session, now: datetime, error: str, cancellation_id: int
) -> None:
    """The job gave up: the cancellation shows why, for staff to retry."""
    cancellation = session.get(Cancellation, cancellation_id, with_for_update=True)
    if cancellation is None:
        return
    cancellation.shopify_failure = failure_reason(error)
    states.note(
        session,
        cancellation,
        "shopify.cancel_failed",
        now=now,
        actor="system",
        message=cancellation.shopify_failure,
    )


def retry_shopify_cancel(
    session: Session, now: datetime, cancellation: Cancellation, *, actor: str
) -> None:
    """Cancel the order at Shopify again (409 unless that failed); the caller locks it."""
    failed = outbox.failed_messages(session, SHOPIFY_JOBS, cancellation_id=cancellation.id)
    if cancellation.shopify_failure is None or not failed:
        raise Conflict(f"cancellation {cancellation.id} has no failed cancellation at Shopify")
    for message in failed:
        outbox.retry_failed(session, message.id, now)
    cancellation.shopify_failure = None
    states.note(session, cancellation, "shopify.cancel_retried", now=now, actor=actor)
