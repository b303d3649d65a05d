"""Two refunds of one order decided at once are capped one after the other: a use case that
did not lock the order itself (a return settled by staff, the warehouse or a carrier's scan
locks the return only) takes the order's lock before it reads what is left to refund."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.orders.models import Order
from returns_service.refunds.models import Refund, RefundMethod
from returns_service.refunds.operations import create_refund, refundable_balance
from tests.shop import Shop
from tests.statements import before_the_first


def _refund_everything(session: Session, order_id: int) -> Refund | None:
    order = session.get_one(Order, order_id)
    return create_refund(
        session,
        utcnow(),
        order=order,
        amount=order.total_amount,
        method=RefundMethod.ORIGINAL_PAYMENT,
        actor="test",
    )


def _another_refunds_everything(order_id: int, outcome: list[str]) -> None:
    """Another transaction refunds the whole order, waiting at most a second for any lock;
    what became of it."""
    with Session(db.engine) as other:
        other.execute(text("SET LOCAL lock_timeout = '1s'"))
        try:
            refund = _refund_everything(other, order_id)
            other.commit()
            outcome.append(f"refunded {refund.amount if refund else 0}")
        except OperationalError:
            outcome.append("waited for the order's lock")


def test_a_refund_cannot_slip_in_between_another_ones_cap_and_its_insert(
    app: Flask, session: Session, shop: Shop
) -> None:
    shop.put_order()
    order_id = session.scalars(select(Order.id).where(Order.external_id == "5001")).one()
    paid = refundable_balance(session, session.get_one(Order, order_id))
    session.rollback()

    outcome: list[str] = []
    with before_the_first(
        "INSERT INTO refunds", lambda: _another_refunds_everything(order_id, outcome)
    ):
        refund = _refund_everything(session, order_id)
        session.commit()

    assert outcome == ["waited for the order's lock"]
    assert refund is not None and refund.amount == paid
    refunded = session.scalar(select(func.sum(Refund.amount)).where(Refund.order_id == order_id))
    assert refunded == paid
