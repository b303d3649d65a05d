"""Jobs that pay refunds: to the original payment, or as store credit."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session, joinedload

from returns_service.orders.models import Order
from returns_service.refunds.models import Refund, RefundStatus
from returns_service.refunds.operations import (
    refund_job_gave_up,
    settle_refund,
)
from returns_service.refunds.providers import (
    RefundCall,
    attempt_key,
    ever_retried,
    provider_for,
)
from returns_service.refunds.store_credit import credit_refund
from returns_service.shop import ShopSettings


@cache
def _pending_statement() -> Select[tuple[Refund, bool]]:
    """The refund, locked, with its order, the order's customer and its return (settling reads
    them all) and whether its order's refunds were ever retried (see ``ever_retried``); only
    the refund's row is locked, the order's when it is updated. Built once, on first use
    (when every model is mapped)."""
    return (
        select(Refund, ever_retried())
        .where(Refund.id == bindparam("refund_id"))
        .options(
            joinedload(Refund.order).joinedload(Order.customer),
            joinedload(Refund.return_request),
        )
        .with_for_update(of=Refund)
        .execution_options(populate_existing=True)
    )


def _pending_refund(session: Session, refund_id: int) -> tuple[Refund, bool] | None:
    """The refund, locked, and whether it may have been retried; None if it is gone or no
    longer waiting to be paid."""
    row = session.execute(_pending_statement(), {"refund_id": refund_id}).one_or_none()
    if row is None or row[0].status is not RefundStatus.PENDING:
        return None
    return row[0], row[1]


def issue_refund(session: Session, now: datetime, settings: ShopSettings, refund_id: int) -> None:
    """Send a refund to the order's payment provider, once.

    The refund row is locked while the provider is called, and the provider is given the
    refund's idempotency key (the same on every retry of the job), so a retry after a
    crash cannot pay twice.
    """
    pending = _pending_refund(session, refund_id)
    if pending is None:
        return
    refund, retried = pending
    order = refund.order
    provider = provider_for(refund.provider, session, now, settings.config)
    outcome = provider.refund(
        RefundCall(
            refund_id=refund.id,
            idempotency_key=attempt_key(session, refund, retried),
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
    pending = _pending_refund(session, refund_id)
    if pending is not None:
        credit_refund(session, now, pending[0], bonus)


def refund_gave_up(
    session: Session, now: datetime, error: str, refund_id: int, bonus: int = 0
) -> None:
    """The job failed for good: the refund shows ``failed`` with the reason."""
    refund_job_gave_up(session, now, refund_id, error, bonus)
