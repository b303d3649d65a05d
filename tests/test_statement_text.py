"""Plain inserts and updates sent as their compiled text write what SQLAlchemy's own
execution writes: each value through its column's type, the defaults worked out in
Python, the rows returned in the order sent; the engine still sees every statement."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Connection, bindparam, create_engine, func, insert, select, update
from sqlalchemy.orm import Session

from bench.inprocess import counted_statements
from returns_service import statement_text
from returns_service.events import Event
from returns_service.extensions import WriteWhileReadOnly, db
from returns_service.models import Base, utcnow
from returns_service.orders.models import Customer, Order, OrderSource

CUSTOMERS = insert(Customer.__table__)
ORDERS = insert(Order.__table__)
EVENTS = insert(Event.__table__)


@pytest.fixture
def connection(app: Flask) -> Iterator[Connection]:
    """A connection of the app's engine (with its listeners), its transaction rolled back."""
    with app.app_context(), db.engine.connect() as own:
        yield own
        own.rollback()


def _customers(count: int) -> list[dict[str, str]]:
    return [{"email": f"c{n}@shop.example", "name": f"C{n}"} for n in range(count)]


@pytest.mark.parametrize("count", [1, 3, statement_text.MOST_ROWS + 1])
def test_rows_come_back_in_the_order_sent_with_ids_and_defaults(
    app: Flask, connection: Connection, count: int
) -> None:
    sent_rows = _customers(count)
    with counted_statements(app) as sent:
        returned = statement_text.insert(
            connection, CUSTOMERS, ("email", "name"), sent_rows, returning=True
        )
    assert len(sent) == 1
    stored = connection.execute(select(Customer.__table__).order_by("id")).mappings().all()
    assert [row["email"] for row in stored] == [row["email"] for row in sent_rows]
    assert [row["id"] for row in returned] == [row["id"] for row in stored]
    # The Python defaults: a value ("ja") and one worked out at each insert (the time).
    assert {(row["locale"], type(row["created_at"])) for row in returned} == {("ja", datetime)}
    assert [row["created_at"] for row in returned] == [row["created_at"] for row in stored]
    assert "email" not in returned[0]  # only what was not sent comes back


def test_an_insert_returning_nothing_writes_every_row_through_its_types(
    connection: Connection,
) -> None:
    now = utcnow()
    [customer] = statement_text.insert(
        connection, CUSTOMERS, ("email",), [{"email": "a@shop.example"}], returning=True
    )
    rows = [
        {
            "number": f"#{n}",
            "external_id": f"X{n}",
            "customer_id": customer["id"],
            "placed_at": now,
            "currency": "JPY",
        }
        for n in range(2)
    ]
    returned = statement_text.insert(connection, ORDERS, tuple(rows[0]), rows, returning=False)
    assert returned == []
    stored = connection.execute(
        select(Order.source, Order.tags, Order.shipping_address, Order.placed_at).order_by(Order.id)
    ).all()
    # An enum's default sent as its value and read back as the enum, JSON defaults as JSON.
    assert stored == [(OrderSource.API, [], {}, now)] * 2


def test_a_value_its_type_refuses_sends_nothing(app: Flask, connection: Connection) -> None:
    naive = datetime(2026, 12, 1, 9, 0)
    with counted_statements(app) as sent, pytest.raises(ValueError, match="naive datetime"):
        statement_text.insert(
            connection,
            EVENTS,
            ("subject_type", "subject_id", "kind", "actor", "message", "data", "created_at"),
            [
                {
                    "subject_type": "order",
                    "subject_id": 1,
                    "kind": "order.created",
                    "actor": "api",
                    "message": "",
                    "data": {},
                    "created_at": naive,
                }
            ],
            returning=False,
        )
    assert sent == []


def test_a_read_only_session_still_refuses_the_text(app: Flask, session: Session) -> None:
    with app.test_request_context("/staff/"):
        db.read_only_session()
        with pytest.raises(WriteWhileReadOnly, match="INSERT INTO customers"):
            statement_text.insert(
                db.session.connection(), CUSTOMERS, ("email",), _customers(2), returning=False
            )
        db.session.remove()
    assert session.scalar(select(func.count()).select_from(Customer)) == 0


def test_an_update_by_key_says_how_many_rows_it_changed(connection: Connection) -> None:
    [customer] = statement_text.insert(
        connection, CUSTOMERS, ("email",), _customers(1), returning=True
    )
    renamed = (
        update(Customer.__table__)
        .where(Customer.__table__.c.id == bindparam("_primary_key"))
        .values(name=bindparam("name"))
    )
    assert (
        statement_text.update(connection, renamed, {"_primary_key": customer["id"], "name": "B"})
        == 1
    )
    assert statement_text.update(connection, renamed, {"_primary_key": -1, "name": "C"}) == 0
    assert connection.scalar(select(Customer.name)) == "B"


def test_an_update_sets_what_its_columns_work_out_on_update(connection: Connection) -> None:
    [customer] = statement_text.insert(
        connection, CUSTOMERS, ("email",), _customers(1), returning=True
    )
    placed = utcnow() - timedelta(days=3)
    order = {
        "number": "#1",
        "external_id": "X1",
        "customer_id": customer["id"],
        "placed_at": placed,
        "currency": "JPY",
        "updated_at": placed,
    }
    statement_text.insert(connection, ORDERS, tuple(order), [order], returning=False)
    orders = Order.__table__
    tagged = (
        update(orders)
        .where(orders.c.id == bindparam("_primary_key"))
        .values(tags=bindparam("tags"))
    )
    order_id = connection.scalar(select(Order.id))
    before = utcnow()
    assert statement_text.update(connection, tagged, {"_primary_key": order_id, "tags": ["x"]}) == 1
    tags, updated_at = connection.execute(select(Order.tags, Order.updated_at)).one()
    assert tags == ["x"] and updated_at >= before  # worked out, as SQLAlchemy would


def test_rows_given_their_own_keys_are_inserted_and_return_the_rest(connection: Connection) -> None:
    rows = [{"id": n, **row} for n, row in zip((30, 10, 20), _customers(3), strict=True)]
    returned = statement_text.insert(
        connection, CUSTOMERS, ("id", "email", "name"), rows, returning=True
    )
    assert [row["created_at"] is not None for row in returned] == [True] * 3
    stored = dict(connection.execute(select(Customer.id, Customer.email)).all())
    assert [stored[row["id"]] for row in rows] == [row["email"] for row in rows]


def test_a_driver_taking_parameters_by_position_gets_them_in_order(tmp_path: Path) -> None:
    demo = create_engine(f"sqlite:///{tmp_path / 'demo.db'}")  # the demo's database
    Base.metadata.create_all(demo, tables=[Customer.__table__])
    with demo.begin() as connection:
        returned = statement_text.insert(
            connection, CUSTOMERS, ("email", "name"), _customers(3), returning=True
        )
        stored = connection.execute(
            select(Customer.id, Customer.email, Customer.name, Customer.created_at).order_by(
                Customer.id
            )
        ).all()
    demo.dispose()
    assert [(row.email, row.name) for row in stored] == [
        (row["email"], row["name"]) for row in _customers(3)
    ]
    assert [row["id"] for row in returned] == [row.id for row in stored]
    assert all(row["created_at"].tzinfo is not None for row in returned)
