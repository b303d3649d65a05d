"""What an order's refunds on their way come to, read once under the order's lock: the
refundable balance then asks nothing more of the database, and counts the refunds the
transaction creates after that read, and no longer those of a savepoint rolled back."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.models import utcnow
from returns_service.orders.models import Order
from returns_service.refunds.models import Refund, RefundMethod, RefundStatus
from returns_service.refunds.operations import (
    IN_FLIGHT_COLUMN,
    create_refund,
    note_in_flight,
    refundable_balance,
)
from tests.refunds.conftest import on_its_way_but
from tests.shop import Shop, publish_default_rules
from tests.statements import statements_sent


def _locked(session: Session, shop: Shop, external_id: str) -> Order:
    """The order of ``shop.put_order``, its row locked as a use case locks it."""
    query = select(Order).where(Order.external_id == external_id).with_for_update()
    return session.scalars(query).one()


def _refund(session: Session, order: Order, amount: int) -> Refund:
    refund = create_refund(
        session,
        utcnow(),
        order=order,
        amount=amount,
        method=RefundMethod.ORIGINAL_PAYMENT,
        actor="test",
    )
    assert refund is not None
    return refund


def _noted(session: Session, order: Order) -> None:
    """The read a use case makes under the lock, noted as it notes it."""
    in_flight = session.execute(select(IN_FLIGHT_COLUMN), {"order_id": order.id}).scalar()
    note_in_flight(session, order, in_flight)


def _reads_of_refunds(sent: list[str]) -> list[str]:
    return [statement for statement in sent if "FROM refunds" in statement]


def _order_with_a_refund_on_its_way(session: Session, shop: Shop) -> Order:
    """A paid order with a refund of 1,000 pending from an earlier transaction."""
    shop.put_order()
    _refund(session, _locked(session, shop, "5001"), 1000)
    session.commit()
    return _locked(session, shop, "5001")


def test_a_noted_read_is_the_balance_without_a_statement(
    app: Flask, session: Session, shop: Shop
) -> None:
    order = _order_with_a_refund_on_its_way(session, shop)
    _noted(session, order)

    with statements_sent() as sent:
        balance = refundable_balance(session, order)

    assert _reads_of_refunds(sent) == []
    assert balance == order.total_amount - order.refunded_amount - 1000


def test_refunds_created_after_the_read_count_against_the_balance(
    app: Flask, session: Session, shop: Shop
) -> None:
    order = _order_with_a_refund_on_its_way(session, shop)
    _noted(session, order)
    paid = order.total_amount - order.refunded_amount

    _refund(session, order, 500)
    with statements_sent() as sent:
        capped = _refund(session, order, paid)  # more than is left: capped at the balance

    assert _reads_of_refunds(sent) == []
    assert capped.amount == paid - 1000 - 500
    assert refundable_balance(session, order) == 0
    session.commit()
    # What a transaction that noted nothing reads from the database agrees.
    order = _locked(session, shop, "5001")
    with statements_sent() as sent:
        assert refundable_balance(session, order) == 0
    assert len(_reads_of_refunds(sent)) == 1


def test_a_refund_created_before_the_read_is_counted_once(
    app: Flask, session: Session, shop: Shop
) -> None:
    order = _order_with_a_refund_on_its_way(session, shop)
    _refund(session, order, 500)
    _noted(session, order)  # the read sees the refund just created

    assert refundable_balance(session, order) == (
        order.total_amount - order.refunded_amount - 1000 - 500
    )


def test_a_refund_that_is_no_longer_on_its_way_is_not_counted(
    app: Flask, session: Session, shop: Shop
) -> None:
    order = _order_with_a_refund_on_its_way(session, shop)
    _noted(session, order)
    refund = _refund(session, order, 500)
    balance = refundable_balance(session, order)

    refund.status = RefundStatus.FAILED  # refused for good: nothing is on its way

    assert refundable_balance(session, order) == balance + 500


def test_a_refund_of_a_savepoint_rolled_back_is_forgotten(
    app: Flask, session: Session, shop: Shop
) -> None:
    order = _order_with_a_refund_on_its_way(session, shop)
    _noted(session, order)
    balance = refundable_balance(session, order)

    savepoint = session.begin_nested()
    _refund(session, order, 500)
    assert refundable_balance(session, order) == balance - 500
    savepoint.rollback()

    assert refundable_balance(session, order) == balance


def test_another_orders_balance_is_read_from_the_database(
    app: Flask, session: Session, shop: Shop
) -> None:
    noted = _order_with_a_refund_on_its_way(session, shop)
    _noted(session, noted)
    shop.put_order(external_id="5002", number="#5002")
    other = _locked(session, shop, "5002")

    with statements_sent() as sent:
        balance = refundable_balance(session, other)

    assert len(_reads_of_refunds(sent)) == 1
    assert balance == other.total_amount - other.refunded_amount


def test_an_amount_the_transaction_changed_counts_where_nothing_was_noted(
    app: Flask, session: Session, shop: Shop
) -> None:
    shop.put_order()
    order = _locked(session, shop, "5001")
    order.refunded_amount += 1000  # refunded by the shop itself, being recorded here

    assert refundable_balance(session, order) == order.total_amount - order.refunded_amount


def test_a_note_ends_with_its_transaction(app: Flask, session: Session, shop: Shop) -> None:
    order = _order_with_a_refund_on_its_way(session, shop)
    _noted(session, order)
    session.commit()
    _refund(session, _locked(session, shop, "5001"), 300)  # by another use case, read afresh
    session.commit()

    order = _locked(session, shop, "5001")
    with statements_sent() as sent:
        balance = refundable_balance(session, order)

    assert len(_reads_of_refunds(sent)) == 1
    assert balance == order.total_amount - order.refunded_amount - 1300


def test_filing_caps_a_refund_at_once_by_what_is_on_its_way(
    app: Flask, session: Session, shop: Shop
) -> None:
    publish_default_rules(session)
    order = shop.put_order()
    on_its_way_but(session, "5001", 100)

    kept_mug = {"line_id": shop.line_id(order, "L2"), "quantity": 1, "reason": "UNWANTED"}
    answer = shop.file(shop.customer(), [kept_mug]).json

    assert [r["amount"]["amount"] for r in answer["refunds"]] == [100]  # 1,100 asked
