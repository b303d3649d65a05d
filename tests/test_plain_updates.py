"""A changed case, line or order is written by one plain UPDATE of the columns that changed,
outside the unit of work; a change of a relationship is left to the unit of work, and an
object written within a savepoint that is rolled back is read again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from returns_service.auth.models import Role
from returns_service.extensions import db
from returns_service.notifications.models import WebhookEndpoint
from returns_service.orders.models import Customer, Order
from returns_service.orders.operations import find_order
from returns_service.plain_updates import write_at_flush
from tests.orders.order_api import TokenFor, put_order
from tests.shop import order_document
from tests.statements import statements_sent


@pytest.fixture
def order(app: Flask, client: FlaskClient, token_for: TokenFor) -> Iterator[Order]:
    """An order PUT through the API, read in a session of the app's own (with its
    listeners), in an app context the test runs in."""
    assert (
        put_order(client, token_for(Role.INTEGRATION), "UPD-1", order_document()).status_code == 201
    )
    with app.app_context():
        found = find_order(db.session, "UPD-1")
        assert found is not None
        yield found


def _stored(order: Order) -> Order:
    with Session(db.engine) as own:
        stored = own.get_one(Order, order.id)
        own.expunge(stored)
        return stored


def test_what_changed_is_written_by_one_update_and_the_object_is_clean(order: Order) -> None:
    updated_before = order.updated_at
    order.financial_status = "refunded"
    order.number = order.number  # set, not changed: not written
    with statements_sent() as sent:
        db.session.flush()
    [statement] = sent
    assert statement.startswith("UPDATE orders SET financial_status=")
    assert "updated_at=" in statement and "number" not in statement
    assert "_primary_key" in statement  # the plain update's, not the unit of work's
    assert not db.session.dirty
    assert order.updated_at > updated_before
    db.session.commit()
    stored = _stored(order)
    assert (stored.financial_status, stored.updated_at) == ("refunded", order.updated_at)


def test_a_column_set_to_its_own_value_writes_nothing(order: Order) -> None:
    updated_before = order.updated_at
    order.currency = order.currency
    with statements_sent() as sent:
        db.session.commit()
    assert not [s for s in sent if s.startswith("UPDATE")]
    assert _stored(order).updated_at == updated_before


def test_a_changed_relationship_is_left_to_the_unit_of_work(order: Order) -> None:
    other = Customer(email="other@shop.example", name="Other")
    db.session.add(other)
    db.session.flush()
    order.customer = other
    with statements_sent() as sent:
        db.session.flush()
    [statement] = sent
    assert statement.startswith("UPDATE orders SET customer_id=")
    assert "_primary_key" not in statement  # the unit of work's own statement
    db.session.commit()
    assert _stored(order).customer_id == other.id


def test_an_object_written_in_a_savepoint_rolled_back_is_read_again(order: Order) -> None:
    savepoint = db.session.begin_nested()
    order.financial_status = "refunded"
    db.session.flush()
    savepoint.rollback()
    assert order.financial_status == "paid"
    db.session.commit()
    assert _stored(order).financial_status == "paid"


def test_an_object_written_by_a_flush_that_fails_in_a_savepoint_is_read_again(
    order: Order,
) -> None:
    db.session.add(Customer(external_id="C-1", email="c1@shop.example", name="C"))
    db.session.commit()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        order.financial_status = "refunded"
        db.session.add(Customer(external_id="C-1", email="again@shop.example", name="C"))
        db.session.flush()  # the order's update is sent, then the customer's insert fails
    assert order.financial_status == "paid"
    db.session.commit()
    assert _stored(order).financial_status == "paid"


def test_objects_written_before_a_row_found_gone_are_read_again_after_the_savepoint(
    order: Order, client: FlaskClient, token_for: TokenFor
) -> None:
    headers = token_for(Role.INTEGRATION)
    assert put_order(client, headers, "UPD-2", order_document()).status_code == 201
    gone = find_order(db.session, "UPD-2")
    assert gone is not None and gone.id > order.id  # written after the order, by key
    with Session(db.engine) as own:
        own.execute(text("DELETE FROM events WHERE order_id = :id"), {"id": gone.id})
        own.execute(text("DELETE FROM orders WHERE id = :id"), {"id": gone.id})
        own.commit()
    with pytest.raises(StaleDataError), db.session.begin_nested():
        order.financial_status = gone.financial_status = "refunded"
        db.session.flush()
    assert order.financial_status == "paid"  # its update was undone with the savepoint
    db.session.commit()
    assert _stored(order).financial_status == "paid"


def test_a_model_whose_updates_others_listen_to_is_refused() -> None:
    with pytest.raises(TypeError, match="unit of work"):
        write_at_flush(WebhookEndpoint)
