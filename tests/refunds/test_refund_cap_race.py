"""Two refunds of one order decided at once are capped one after the other: a use case that
did not lock the order itself (a return settled by staff, the warehouse or a carrier's scan
locks the return only) takes the order's lock before it reads what is left to refund."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.orders.models import Order
from returns_service.refunds.models import Refund, RefundMethod
from returns_service.refunds.operations import create_refund, refundable_balance
from tests.shop import Shop


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


@contextmanager
def another_refund_before_the_insert(app: Flask, order_id: int) -> Iterator[list[str]]:
    """Just before this transaction inserts its refund, another refunds the whole order in a
    transaction of its own, waiting at most a second for any lock; what became of it."""
    outcome: list[str] = []
    started: list[bool] = []

    def refund_first(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        if started or not statement.startswith("INSERT INTO refunds"):
            return
        started.append(True)  # the other's own insert passes
        with Session(db.engine) as other:
            other.execute(text("SET LOCAL lock_timeout = '1s'"))
            try:
                refund = _refund_everything(other, order_id)
                other.commit()
                outcome.append(f"refunded {refund.amount if refund else 0}")
            except OperationalError:
                outcome.append("waited for the order's lock")

    event.listen(db.engine, "before_cursor_execute", refund_first)
    try:
        yield outcome
    finally:
        event.remove(db.engine, "before_cursor_execute", refund_first)


def test_a_refund_cannot_slip_in_between_another_ones_cap_and_its_insert(
    app: Flask, session: Session, shop: Shop
) -> None:
    shop.put_order()
    order_id = session.scalars(select(Order.id).where(Order.external_id == "5001")).one()
    paid = refundable_balance(session, session.get_one(Order, order_id))
    session.rollback()

    with another_refund_before_the_insert(app, order_id) as outcome:
        refund = _refund_everything(session, order_id)
        session.commit()

    assert outcome == ["waited for the order's lock"]
    assert refund is not None and refund.amount == paid
    refunded = session.scalar(select(func.sum(Refund.amount)).where(Refund.order_id == order_id))
    assert refunded == paid
