"""A refund that gave up without the provider's answer may have paid: it still counts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.models import utcnow
from returns_service.orders.models import Order
from returns_service.refunds.models import Refund, RefundMethod, RefundStatus
from returns_service.refunds.operations import refundable_balance, settle_refund
from tests.shop import Shop


def _failed_refund(session: Session, amount: int, *, definitive: bool) -> tuple[Order, Refund]:
    order = session.scalars(select(Order)).one()
    refund = Refund(
        order=order,
        amount=amount,
        currency=order.currency,
        method=RefundMethod.ORIGINAL_PAYMENT,
        provider="sandbox",
        status=RefundStatus.PENDING,
    )
    session.add(refund)
    session.flush()
    settle_refund(session, utcnow(), refund, RefundStatus.FAILED, "gave up", definitive=definitive)
    session.flush()
    return order, refund


def test_a_refund_of_unknown_outcome_still_counts_against_the_order(
    shop: Shop, session: Session
) -> None:
    shop.put_order()
    order, refund = _failed_refund(session, 10000, definitive=False)

    assert refund.outcome_unknown
    assert refundable_balance(session, order) == order.total_amount - 10000


def test_a_refund_the_provider_refused_frees_its_amount(shop: Shop, session: Session) -> None:
    shop.put_order()
    order, refund = _failed_refund(session, 10000, definitive=True)

    assert not refund.outcome_unknown
    assert refundable_balance(session, order) == order.total_amount
