"""Rows read by a plain statement become objects as the ORM's query would make them: in the
session, clean, the same object for a row the session holds, and after its changes."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from bench.inprocess import counted_statements
from returns_service.loaded_objects import every_column, read_as_loaded
from returns_service.orders.models import Customer
from returns_service.rulesets.models import RuleSetVersion

BY_EMAIL = every_column(Customer).where(Customer.email == bindparam("email"))


def _customer(session: Session, email: str, name: str) -> Customer:
    customer = Customer(email=email, name=name, locale="en")
    session.add(customer)
    session.commit()
    return customer


def test_read_rows_are_clean_objects_with_every_column(app: Flask, session: Session) -> None:
    stored_id = _customer(session, "a@shop.example", "A").id
    session.expunge_all()
    with counted_statements(app) as sent:
        [customer] = read_as_loaded(session, Customer, BY_EMAIL, {"email": "a@shop.example"})
    assert len(sent) == 1
    assert customer.id == stored_id and customer in session
    assert not session.dirty and not session.new
    with counted_statements(app) as read:
        assert (customer.name, customer.locale, customer.phone) == ("A", "en", None)
    assert read == []
    customer.name = "B"  # changed as any loaded object: written by the next flush
    session.commit()
    session.expunge_all()
    assert session.scalar(select(Customer.name).where(Customer.id == stored_id)) == "B"


def test_a_row_the_session_holds_gives_that_object_unchanged(
    app: Flask, session: Session
) -> None:
    held = _customer(session, "a@shop.example", "A")
    held.phone = "03-1234-5678"  # not flushed yet: the read flushes it first, as autoflush does
    [customer] = read_as_loaded(session, Customer, BY_EMAIL, {"email": "a@shop.example"})
    assert customer is held
    assert session.scalar(select(Customer.phone).where(Customer.id == held.id)) == "03-1234-5678"


def test_autoflush_off_leaves_the_changes_waiting(app: Flask, session: Session) -> None:
    held = _customer(session, "a@shop.example", "A")
    session.add(Customer(email="b@shop.example", name="B"))
    with session.no_autoflush:
        found = read_as_loaded(session, Customer, BY_EMAIL, {"email": "b@shop.example"})
    assert found == [] and len(session.new) == 1
    assert held.name == "A"


def test_no_row_gives_no_object(app: Flask, session: Session) -> None:
    assert read_as_loaded(session, Customer, BY_EMAIL, {"email": "nobody@shop.example"}) == []


def test_a_model_that_validates_its_values_is_not_read(app: Flask, session: Session) -> None:
    with pytest.raises(TypeError, match="validates"):
        read_as_loaded(session, RuleSetVersion, every_column(Customer), {})
