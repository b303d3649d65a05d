"""Rows read by a plain statement become objects as the ORM's query would make them: in the
session, clean, the same object for a row the session holds, and after its changes."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import ForeignKey, bindparam, select, update
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from bench.inprocess import counted_statements
from returns_service.loaded_objects import every_column, loadable, read_as_loaded
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


def test_a_row_the_session_holds_gives_that_object_after_the_changes_are_flushed(
    app: Flask, session: Session
) -> None:
    held = _customer(session, "a@shop.example", "A")
    held.phone = "03-1234-5678"  # not flushed yet: the read flushes it first, as autoflush does
    with counted_statements(app) as sent:
        [customer] = read_as_loaded(session, Customer, BY_EMAIL, {"email": "a@shop.example"})
    assert customer is held and not session.dirty
    assert [statement.split()[0] for statement in sent] == ["UPDATE", "SELECT"]
    assert customer.phone == "03-1234-5678"  # the change stands: the row does not overwrite it


def test_an_expired_object_the_session_holds_is_filled_from_the_row(
    app: Flask, session: Session
) -> None:
    held = _customer(session, "a@shop.example", "A")
    session.execute(update(Customer).values(name="B"))  # behind the object's back
    session.expire(held)
    [customer] = read_as_loaded(session, Customer, BY_EMAIL, {"email": "a@shop.example"})
    with counted_statements(app) as read:
        assert (customer is held, customer.name) == (True, "B")
    assert read == []


def test_held_and_new_objects_come_in_the_rows_order(app: Flask, session: Session) -> None:
    first = _customer(session, "a@shop.example", "A").id
    second_id = _customer(session, "a@shop.example", "B").id
    session.expunge_all()
    held = session.get(Customer, second_id)
    by_id = BY_EMAIL.order_by(Customer.id)
    found = read_as_loaded(session, Customer, by_id, {"email": "a@shop.example"})
    assert [customer.id for customer in found] == [first, second_id]
    assert found[1] is held and found[0] in session


def test_autoflush_off_leaves_the_changes_waiting(app: Flask, session: Session) -> None:
    _customer(session, "a@shop.example", "A")
    session.add(Customer(email="b@shop.example", name="B"))
    with session.no_autoflush, counted_statements(app) as sent:
        found = read_as_loaded(session, Customer, BY_EMAIL, {"email": "b@shop.example"})
    assert found == [] and len(session.new) == 1
    assert [statement.split()[0] for statement in sent] == ["SELECT"]


def test_no_row_gives_no_object(app: Flask, session: Session) -> None:
    assert read_as_loaded(session, Customer, BY_EMAIL, {"email": "nobody@shop.example"}) == []


def test_a_model_that_validates_its_values_is_not_read(app: Flask, session: Session) -> None:
    with pytest.raises(TypeError, match="validates"):
        read_as_loaded(session, RuleSetVersion, every_column(Customer), {})


class _Elsewhere(DeclarativeBase):
    """A mapping of its own, not the service's tables."""


class _Parcel(_Elsewhere):
    __tablename__ = "parcels"
    id: Mapped[int] = mapped_column(primary_key=True)


class _ExpressParcel(_Parcel):
    __tablename__ = "express_parcels"
    id: Mapped[int] = mapped_column(ForeignKey("parcels.id"), primary_key=True)


def test_a_model_whose_rows_span_two_tables_is_not_taken() -> None:
    assert loadable(_Parcel)
    with pytest.raises(TypeError, match="more than its own table"):
        loadable(_ExpressParcel)
