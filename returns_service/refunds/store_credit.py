"""Refunds paid as store credit: entries on the customer's account, with the shop's bonus."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from returns_service.refunds.models import Refund, RefundStatus, StoreCreditEntry
from returns_service.refunds.operations import settle_refund, store_credit_account


def credit_refund(session: Session, now: datetime, refund: Refund, bonus: int = 0) -> None:
    """Credit a pending refund to the customer's account, and the bonus beside it.

    The entries are written in the transaction that settles the refund, so a job that runs
    again finds the refund settled and credits nothing twice.
    """
    order = refund.order
    account = store_credit_account(session, order.customer_id, refund.currency)
    session.add(
        StoreCreditEntry(
            account_id=account.id,
            amount=refund.amount,
            refund_id=refund.id,
            note=f"order {order.number}",
            created_at=now,
        )
    )
    if bonus > 0:
        session.add(
            StoreCreditEntry(
                account_id=account.id,
                amount=bonus,
                note=f"bonus, order {order.number}",
                created_at=now,
            )
        )
    refund.provider_reference = account.code
    settle_refund(session, now, refund, RefundStatus.SUCCEEDED, None)
