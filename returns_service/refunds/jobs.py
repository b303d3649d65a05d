"""Jobs that pay refunds: to the original payment, or as store credit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from returns_service.orders.models import Order
from returns_service.refunds.models import Refund, RefundStatus
from returns_service.refunds.operations import (
    refund_job_gave_up,
    settle_refund,
)
from returns_service.refunds.providers import RefundCall, attempt_key, provider_for
from returns_service.refunds.store_credit import credit_refund
from returns_service.shop import ShopSettings


def _pending_refund(session: Session, refund_id: int) -> Refund | None:
    """The refund, locked; None if it is gone or no longer waiting to be paid.

    Its order, the order's customer and its return come in the same statement (settling
    reads them all); only the refund's row is locked, the order's when it is updated.
    """
    refund = session.scalars(
        select(Refund)
        .where(Refund.id == refund_id)
        .options(
            joinedload(Refund.order).joinedload(Order.customer),
            joinedload(Refund.return_request),
        )
        .with_for_update(of=Refund)
        .execution_options(populate_existing=True)
    ).one_or_none()
    if refund is None or refund.status is not RefundStatus.PENDING:
        return None
    return refund


def issue_refund(session: Session, now: datetime, settings: ShopSettings, refund_id: int) -> None:
    """Send a refund to the order's payment provider, once.

    The refund row is locked while the provider is called, and the provider is given the
    refund's idempotency key (the same on every retry of the job), so a retry after a
    crash cannot pay twice.
    """
    refund = _pending_refund(session, refund_id)
    if refund is None:
        return
    order = refund.order
    provider = provider_for(refund.provider, session, now, settings.config)
    outcome = provider.refund(
        RefundCall(
            refund_id=refund.id,
            idempotency_key=attempt_key(session, refund),
            amount=refund.amount,
            currency=refund.currency,
            payment_reference=order.payment_reference,
            order_external_id=order.external_id,
        )
    )
    refund.provider_reference = outcome.reference or refund.provider_reference
    settle_refund(session, now, refund, outcome.status, outcome.failure_reason)


def issue_store_credit(
    session: Session, now: datetime, settings: ShopSettings, refund_id: int, bonus: int = 0
) -> None:
    """Credit the customer's store-credit account, once per refund, with the shop's bonus."""
    refund = _pending_refund(session, refund_id)
    if refund is not None:
        credit_refund(session, now, refund, bonus)


def refund_gave_up(
    session: Session, now: datetime, error: str, refund_id: int, bonus: int = 0
) -> None:
    """The job failed for good: the refund shows ``failed`` with the reason."""
    refund_job_gave_up(session, now, refund_id, error, bonus)
