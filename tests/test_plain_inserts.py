"""Rows inserted per table in one statement come back as loaded objects, nothing left to
write or read; rows that name different columns are refused before anything is sent."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.inprocess import counted_statements
from returns_service.orders.models import Customer
from returns_service.plain_inserts import insert_returning, insert_rows
from returns_service.rulesets.models import RuleSetVersion


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
