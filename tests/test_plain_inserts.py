"""Rows inserted per table in one statement come back as loaded objects, nothing left to
write or read; rows that name different columns are refused before anything is sent. A
row with its children (an order with its lines) goes in one statement, theirs in order."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from bench.inprocess import counted_statements
from returns_service.drawn_keys import draw_key, keep_spare_key
from returns_service.events import record_event
from returns_service.extensions import db
from returns_service.loaded_objects import keep_as_loaded
from returns_service.models import Base, utcnow
from returns_service.orders.models import (
    Customer,
    FinancialStatus,
    Order,
    OrderLine,
    OrderSource,
)
from returns_service.plain_inserts import (
    insert_at_flush,
    insert_keyed,
    insert_returning,
    insert_returning_with_children,
    insert_row_with_children_unless_taken,
    insert_rows,
)
from returns_service.refunds.models import Refund, RefundMethod
from returns_service.rulesets.models import RuleSetVersion
from returns_service.statement_text import MOST_ROWS
from tests.statements import statements_sent


def test_inserted_rows_are_loaded_objects_with_their_ids_and_defaults(
    app: Flask, session: Session
) -> None:
    with counted_statements(app) as sent:
        first, second = insert_rows(
            session,
            Customer,
            [{"email": "a@shop.example", "name": "A"}, {"email": "b@shop.example", "name": "B"}],
        )
    assert len(sent) == 1
    assert first.id and second.id and first.id != second.id
    assert (first.locale, second.locale) == ("ja", "ja")  # the column's default, returned
    assert first in session and not session.new and not session.dirty
    with counted_statements(app) as read:
        assert (first.email, second.created_at is not None) == ("a@shop.example", True)
    assert read == []
    session.commit()
    assert session.scalar(select(func.count()).select_from(Customer)) == 2


def test_rows_naming_different_columns_are_refused_before_anything_is_sent(
    app: Flask, session: Session
) -> None:
    with counted_statements(app) as sent, pytest.raises(ValueError, match="same columns"):
        insert_rows(session, Customer, [{"email": "a@shop.example"}, {"name": "B"}])
    with counted_statements(app) as sent_too, pytest.raises(ValueError, match="same columns"):
        insert_returning(session, [Customer(email="a@shop.example"), Customer(name="B")])
    assert sent == sent_too == []


def test_a_model_that_validates_its_values_is_not_taken(app: Flask, session: Session) -> None:
    with counted_statements(app) as sent, pytest.raises(TypeError, match="validates"):
        insert_rows(session, RuleSetVersion, [{"number": 1}])
    assert sent == []


def _order(customer: Customer, external_id: str = "X-1") -> dict[str, object]:
    return {
        "external_id": external_id,
        "number": f"#{external_id}",
        "customer_id": customer.id,
        "placed_at": utcnow(),
        "currency": "JPY",
    }


def _lines(count: int) -> list[dict[str, object]]:
    return [
        {"external_id": f"L{n}", "title": f"T{n}", "quantity": n + 1, "unit_price": 100 * n}
        for n in range(count)
    ]


@pytest.mark.parametrize(("count", "statements"), [(0, 1), (3, 1), (MOST_ROWS + 1, 2)])
def test_a_row_with_its_children_comes_back_loaded_with_theirs_in_order(
    app: Flask, session: Session, count: int, statements: int
) -> None:
    [customer] = insert_rows(session, Customer, [{"email": "a@shop.example"}])
    with counted_statements(app) as sent:
        written = insert_row_with_children_unless_taken(
            session, Order, _order(customer), ("external_id",), OrderLine, "order_id", _lines(count)
        )
    assert written is not None
    order, lines = written
    # One statement for both, but for none or too many children to send that way.
    assert len(sent) == statements
    if count and statements == 1:  # it reads back only the ids the database gave
        assert re.findall(r"AS ([pc]_\w+)", sent[0]) == ["p_id", "c_id"]
    assert order in session and not session.new and not session.dirty
    with counted_statements(app) as read:
        assert (order.source, order.tags) == (OrderSource.API, [])  # defaults, returned
        assert order.created_at is not None
        assert [line.external_id for line in lines] == [f"L{n}" for n in range(count)]
        assert [line.quantity for line in lines] == list(range(1, count + 1))
        assert {line.order_id for line in lines} <= {order.id}
        assert {(line.sku, line.is_final_sale) for line in lines} <= {("", False)}
    assert read == []  # nothing left to load
    session.commit()
    stored = session.execute(
        select(OrderLine.id, OrderLine.external_id).order_by(OrderLine.id)
    ).all()
    assert stored == [(line.id, line.external_id) for line in lines]


def test_a_row_whose_key_is_taken_writes_nothing_of_its_children(
    app: Flask, session: Session
) -> None:
    [customer] = insert_rows(session, Customer, [{"email": "a@shop.example"}])
    first = insert_row_with_children_unless_taken(
        session, Order, _order(customer), ("external_id",), OrderLine, "order_id", _lines(2)
    )
    again = insert_row_with_children_unless_taken(
        session, Order, _order(customer), ("external_id",), OrderLine, "order_id", _lines(3)
    )
    assert first is not None and again is None
    session.commit()
    assert session.scalar(select(func.count()).select_from(OrderLine)) == 2


@pytest.mark.parametrize(("count", "statements"), [(2, 1), (MOST_ROWS + 1, 2)])
def test_new_objects_with_children_get_their_ids_and_defaults(
    app: Flask, session: Session, count: int, statements: int
) -> None:
    [customer] = insert_rows(session, Customer, [{"email": "a@shop.example"}])
    order = Order(**_order(customer))
    lines = [OrderLine(**line) for line in _lines(count)]
    with counted_statements(app) as sent:
        insert_returning_with_children(session, order, lines, "order_id")
    # One statement for both, but for too many children to send that way.
    assert len(sent) == statements
    assert order.id and order.tags == [] and order.source is OrderSource.API
    assert [line.order_id for line in lines] == [order.id] * count
    assert [line.id for line in lines] == sorted(line.id for line in lines)
    assert {line.sku for line in lines} == {""}
    keep_as_loaded(session, [order, *lines])
    session.commit()
    stored = session.execute(select(OrderLine.id, OrderLine.external_id).order_by(OrderLine.id))
    assert stored.all() == [(line.id, line.external_id) for line in lines]


@pytest.fixture
def app_session(app: Flask) -> Iterator[Session]:
    """A session of the app's own, with its listeners (a test's own session has none)."""
    with app.app_context():
        yield db.session()


def _keyed_order(session: Session, count: int) -> tuple[Order, list[OrderLine]]:
    """A new order with ``count`` lines, their keys drawn as filing draws a return's."""
    [customer] = insert_rows(session, Customer, [{"email": "a@shop.example"}])
    connection = session.connection()
    order = Order(**_order(customer), id=draw_key(connection, Order.__table__))
    lines = [
        OrderLine(**line, id=draw_key(connection, OrderLine.__table__)) for line in _lines(count)
    ]
    return order, lines


def test_rows_inserted_at_the_flush_go_with_its_other_writes_as_they_are_then(
    app_session: Session,
) -> None:
    session = app_session
    order, lines = _keyed_order(session, 2)
    with statements_sent() as registered:
        insert_at_flush(session, order, lines, "order_id")
    assert registered == []
    # Defaults are set at once, as an insert would set them, for what reads them meanwhile.
    assert (order.source, order.tags, lines[0].sku) == (OrderSource.API, [], "")
    order.financial_status = FinancialStatus.REFUNDED  # changed before the flush
    record_event(session, subject_type="order", subject_id=order.id, order_id=order.id,
                 kind="order.created", actor="system", now=utcnow())  # fmt: skip
    with statements_sent() as flushed:
        session.flush()
    [statement] = flushed  # the order, its lines and the event, nothing read back
    assert re.findall(r"INSERT INTO (\w+)", statement) == ["orders", "order_lines", "events"]
    assert "RETURNING" not in statement
    assert order in session and not session.new and not session.dirty
    with statements_sent() as read:
        assert [line.order_id for line in lines] == [order.id] * 2
        assert (order.cancelled_at, order.created_at is not None) == (None, True)
        assert [line.variant_id for line in lines] == [None, None]
    assert read == []  # nothing left to load
    session.commit()
    stored = session.execute(select(Order.id, Order.financial_status)).all()
    assert stored == [(order.id, FinancialStatus.REFUNDED)]
    assert session.scalars(select(OrderLine.id).order_by(OrderLine.id)).all() == [
        line.id for line in lines
    ]


def _waiting_order(session: Session, count: int) -> Order:
    """A new order with ``count`` lines, waiting for the flush."""
    order, lines = _keyed_order(session, count)
    insert_at_flush(session, order, lines, "order_id")
    return order


def test_a_plain_insert_writes_the_rows_waiting_for_the_flush_first(
    app_session: Session,
) -> None:
    session = app_session
    order = _waiting_order(session, 1)
    row = {
        "order_id": order.id,  # names the waiting order
        "amount": 100,
        "currency": "JPY",
        "method": RefundMethod.ORIGINAL_PAYMENT,
        "provider": "manual",
        "created_at": utcnow(),
    }
    with statements_sent() as sent:
        [refund] = insert_rows(session, Refund, [row])
    assert len(sent) == 2 and sent[0].startswith("WITH")
    assert refund.order_id == order.id and order in session and not session.new


def test_rows_waiting_for_the_flush_leave_nothing_when_rolled_back(
    app_session: Session,
) -> None:
    session = app_session
    order = _waiting_order(session, 2)
    session.rollback()
    with statements_sent() as sent:
        session.flush()
    assert sent == [] and order not in session
    assert session.scalar(select(func.count()).select_from(Order)) == 0


def test_a_row_whose_key_is_needed_at_once_draws_it_and_waits_for_the_flush(
    app_session: Session,
) -> None:
    session = app_session
    [customer] = insert_rows(session, Customer, [{"email": "a@shop.example"}])
    with statements_sent() as sent:
        first = insert_keyed(session, Customer, {"email": "b@shop.example"})
        second = insert_keyed(session, Customer, {"email": "c@shop.example"})
    assert [s.startswith("SELECT nextval") for s in sent] == [True, True]
    assert customer.id < first.id < second.id and first in session.new
    with statements_sent() as flushed:
        session.flush()
    assert len(flushed) == 1 and not session.new
    assert (second.locale, second.phone) == ("ja", None)
    session.commit()
    assert session.scalar(select(func.count()).select_from(Customer)) == 3


def test_a_spare_key_drawn_earlier_is_given_once_and_only_in_its_transaction(
    app_session: Session,
) -> None:
    session = app_session
    customers = Customer.__table__
    spare = draw_key(session.connection(), customers)
    keep_spare_key(session, customers, spare)
    with statements_sent() as sent:
        first = insert_keyed(session, Customer, {"email": "a@shop.example"})
    assert sent == [] and first.id == spare
    with statements_sent() as sent:
        second = insert_keyed(session, Customer, {"email": "b@shop.example"})
    assert [s.startswith("SELECT nextval") for s in sent] == [True] and second.id > spare
    keep_spare_key(session, customers, draw_key(session.connection(), customers))
    session.commit()  # a spare not taken is not given in the next transaction
    with statements_sent() as sent:
        third = insert_keyed(session, Customer, {"email": "c@shop.example"})
    assert [s.startswith("SELECT nextval") for s in sent] == [True]
    session.commit()
    keep_spare_key(session, customers, draw_key(session.connection(), customers))
    session.rollback()  # nor after a rollback
    with statements_sent() as sent:
        fourth = insert_keyed(session, Customer, {"email": "d@shop.example"})
    assert [s.startswith("SELECT nextval") for s in sent] == [True]
    session.commit()
    stored = session.scalars(select(Customer.id).order_by(Customer.id)).all()
    assert stored == [first.id, second.id, third.id, fourth.id]
    assert third.id > second.id + 1 and fourth.id > third.id + 1


def test_elsewhere_a_row_whose_key_is_needed_is_inserted_at_once(tmp_path: Path) -> None:
    demo = create_engine(f"sqlite:///{tmp_path / 'demo.db'}")  # the demo's database
    Base.metadata.create_all(demo, tables=[Customer.__table__])
    with Session(demo) as own:
        customer = insert_keyed(own, Customer, {"email": "a@shop.example"})
        assert customer.id == 1 and customer in own and not own.new
        own.commit()
    demo.dispose()
