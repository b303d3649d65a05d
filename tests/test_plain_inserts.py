"""Rows inserted per table in one statement come back as loaded objects, nothing left to
write or read; rows that name different columns are refused before anything is sent. A
row with its children (an order with its lines) goes in one statement, theirs in order."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.inprocess import counted_statements
from returns_service.loaded_objects import keep_as_loaded
from returns_service.models import utcnow
from returns_service.orders.models import Customer, Order, OrderLine, OrderSource
from returns_service.plain_inserts import (
    insert_returning,
    insert_returning_with_children,
    insert_row_with_children_unless_taken,
    insert_rows,
)
from returns_service.rulesets.models import RuleSetVersion
from returns_service.statement_text import MOST_ROWS


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
