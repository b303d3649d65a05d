"""Plain inserts and updates sent as their compiled text write what SQLAlchemy's own
execution writes: each value through its column's type, the defaults worked out in
Python, the rows returned in the order sent; the engine still sees every statement.
Writes gathered go as one statement on PostgreSQL, their updates locking rows in the
order given, and one by one elsewhere."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Connection, create_engine, func, insert, select, text
from sqlalchemy.orm import Session

from bench.inprocess import counted_statements
from returns_service import statement_text
from returns_service.events import Event
from returns_service.extensions import WriteWhileReadOnly, db
from returns_service.models import Base, utcnow
from returns_service.orders.models import Customer, Order, OrderSource
from returns_service.statement_text import Writes

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
        returned = statement_text.insert(connection, CUSTOMERS, ("email", "name"), sent_rows)
    assert len(sent) == 1
    stored = connection.execute(select(Customer.__table__).order_by("id")).mappings().all()
    assert [row["email"] for row in stored] == [row["email"] for row in sent_rows]
    assert [row["id"] for row in returned] == [row["id"] for row in stored]
    # The Python defaults: a value ("ja") and one worked out at each insert (the time).
    assert {(row["locale"], type(row["created_at"])) for row in returned} == {("ja", datetime)}
    assert [row["created_at"] for row in returned] == [row["created_at"] for row in stored]
    assert "email" not in returned[0]  # only what was not sent comes back


@pytest.mark.parametrize("count", [1, 3, statement_text.MOST_ROWS + 1])
def test_only_what_the_database_works_out_is_read_back(
    app: Flask, connection: Connection, count: int
) -> None:
    emails = [{"email": row["email"]} for row in _customers(count)]
    with counted_statements(app) as sent:
        returned = statement_text.insert(connection, CUSTOMERS, ("email",), emails)
    [statement] = sent
    read_back = statement.rsplit("RETURNING", 1)[1]
    assert "customers.id" in read_back
    for made_here in ("name", "locale", "created_at", "phone", "external_id"):
        assert f"customers.{made_here}" not in read_back
    # The defaults as sent, the columns nobody gave as null: as the rows hold them.
    stored = connection.execute(select(Customer.__table__).order_by("id")).mappings().all()
    assert returned == [{k: v for k, v in row.items() if k != "email"} for row in stored]
    assert {(row["phone"], row["name"], row["locale"]) for row in returned} == {(None, "", "ja")}


@pytest.mark.parametrize("count", [2, statement_text.MOST_ROWS + 1])
def test_rows_written_with_nothing_back_go_through_their_types(
    connection: Connection, count: int
) -> None:
    now = utcnow()
    [customer] = statement_text.insert(connection, CUSTOMERS, ("email",), [{"email": "a@x.jp"}])
    rows = [
        {
            "number": f"#{n}",
            "external_id": f"X{n}",
            "customer_id": customer["id"],
            "placed_at": now,
            "currency": "JPY",
        }
        for n in range(count)
    ]
    assert Writes().insert(ORDERS, tuple(rows[0]), rows).send(connection) == []
    stored = connection.execute(
        select(Order.source, Order.tags, Order.shipping_address, Order.placed_at).order_by(Order.id)
    ).all()
    # An enum's default sent as its value and read back as the enum, JSON defaults as JSON.
    assert stored == [(OrderSource.API, [], {}, now)] * count


def test_a_value_its_type_refuses_sends_nothing(app: Flask, connection: Connection) -> None:
    naive = datetime(2026, 12, 1, 9, 0)
    event = {
        "subject_type": "order",
        "subject_id": 1,
        "kind": "order.created",
        "actor": "api",
        "message": "",
        "data": {},
        "created_at": naive,
    }
    writes = Writes().insert(EVENTS, tuple(event), [event])
    with counted_statements(app) as sent, pytest.raises(ValueError, match="naive datetime"):
        writes.send(connection)
    assert sent == []


def test_a_read_only_session_still_refuses_the_text(app: Flask, session: Session) -> None:
    with app.test_request_context("/staff/"):
        db.read_only_session()
        writes = Writes().insert(CUSTOMERS, ("email",), _customers(2))
        with pytest.raises(WriteWhileReadOnly, match="INSERT INTO customers"):
            writes.send(db.session.connection())
        db.session.remove()
    assert session.scalar(select(func.count()).select_from(Customer)) == 0


def test_writes_go_as_one_statement_and_say_what_each_update_changed(
    app: Flask, connection: Connection
) -> None:
    first, second = statement_text.insert(connection, CUSTOMERS, ("email",), _customers(2))
    customers = Customer.__table__
    writes = (
        Writes()
        .update(customers, first["id"], {"name": "B"})
        .insert(EVENTS, tuple(_event()), [_event(), _event()])
        .update(customers, second["id"], {"name": "C"})
        .insert(CUSTOMERS, ("email",), [{"email": "new@x.jp"}])
    )
    with counted_statements(app) as sent:
        assert writes.send(connection) == [1, 1]
    assert len(sent) == 1 and sent[0].startswith("WITH")
    names = connection.execute(select(Customer.email, Customer.name).order_by(Customer.id)).all()
    assert names == [("c0@shop.example", "B"), ("c1@shop.example", "C"), ("new@x.jp", "")]
    assert connection.scalar(select(func.count()).select_from(Event)) == 2
    # A row that is gone changes nothing; an update after it waits for it, so nor does that.
    gone = (
        Writes().update(customers, -1, {"name": "D"}).update(customers, first["id"], {"name": "E"})
    )
    assert gone.send(connection) == [0, 0]


def _event() -> dict[str, object]:
    return {
        "subject_type": "order",
        "subject_id": 1,
        "kind": "order.created",
        "actor": "api",
        "message": "",
        "data": {"n": 1},
        "created_at": utcnow(),
    }


def test_inserts_alone_go_as_one_statement_that_reads_nothing_back(
    app: Flask, connection: Connection
) -> None:
    event = _event()
    writes = Writes().insert(EVENTS, tuple(event), [event])
    writes.insert(CUSTOMERS, ("email",), [{"email": "a@x.jp"}, {"email": "b@x.jp"}])
    with counted_statements(app) as sent:
        assert writes.send(connection) == []
    [statement] = sent
    # The customers' insert is the statement the events' is a part of: no count selected.
    assert re.findall(r"INSERT INTO (\w+)", statement) == ["events", "customers"]
    assert "SELECT" not in statement and "RETURNING" not in statement
    assert connection.scalar(select(func.count()).select_from(Customer)) == 2
    assert connection.scalar(select(func.count()).select_from(Event)) == 1


def test_updates_sent_together_lock_their_rows_in_the_order_given(app: Flask) -> None:
    """The second row is not locked while the first waits: two use cases that change the
    same rows, each in the order of their key, cannot wait on each other. (PostgreSQL's
    executor runs these parts in this order of itself today; each update reading the one
    before makes it so whatever plan it chooses, as the row found gone above shows.)"""
    with app.app_context():
        engine = db.engine
    with engine.begin() as setup:
        first, second = statement_text.insert(setup, CUSTOMERS, ("email",), _customers(2))
    customers = Customer.__table__
    try:
        with engine.connect() as holder, engine.connect() as writer:
            holder.execute(
                select(customers.c.id).where(customers.c.id == first["id"]).with_for_update()
            )
            writes = (
                Writes()
                .update(customers, first["id"], {"name": "B"})
                .update(customers, second["id"], {"name": "C"})
            )
            writer_pid = writer.connection.dbapi_connection.info.backend_pid
            with ThreadPoolExecutor(1) as pool:
                sending = pool.submit(writes.send, writer)
                _wait_until_waiting(holder, writer_pid)
                # The second row is free: the writer is waiting on the first.
                holder.execute(
                    select(customers.c.id)
                    .where(customers.c.id == second["id"])
                    .with_for_update(nowait=True)
                )
                holder.rollback()
                assert sending.result(timeout=10) == [1, 1]
            writer.rollback()
    finally:
        with engine.begin() as cleanup:
            cleanup.execute(customers.delete())


def _wait_until_waiting(connection: Connection, pid: int) -> None:
    """Until the session of ``pid`` waits on a lock (polled: it starts in another thread)."""
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid = :pid"
    )
    for _ in range(500):
        if connection.scalar(waiting, {"pid": pid}):
            return
        time.sleep(0.01)
    raise AssertionError("the writer never waited for the held row")


def test_an_update_sets_what_its_columns_work_out_on_update(connection: Connection) -> None:
    [customer] = statement_text.insert(connection, CUSTOMERS, ("email",), _customers(1))
    placed = utcnow() - timedelta(days=3)
    order = {
        "number": "#1",
        "external_id": "X1",
        "customer_id": customer["id"],
        "placed_at": placed,
        "currency": "JPY",
        "updated_at": placed,
    }
    Writes().insert(ORDERS, tuple(order), [order]).send(connection)
    order_id = connection.scalar(select(Order.id))
    before = utcnow()
    assert Writes().update(Order.__table__, order_id, {"tags": ["x"]}).send(connection) == [1]
    tags, updated_at = connection.execute(select(Order.tags, Order.updated_at)).one()
    assert tags == ["x"] and updated_at >= before  # worked out, as SQLAlchemy would


def test_rows_given_their_own_keys_are_inserted_and_return_the_rest(connection: Connection) -> None:
    rows = [{"id": n, **row} for n, row in zip((30, 10, 20), _customers(3), strict=True)]
    returned = statement_text.insert(connection, CUSTOMERS, ("id", "email", "name"), rows)
    assert [row["created_at"] is not None for row in returned] == [True] * 3
    stored = dict(connection.execute(select(Customer.id, Customer.email)).all())
    assert [stored[row["id"]] for row in rows] == [row["email"] for row in rows]


def test_a_driver_taking_parameters_by_position_gets_them_in_order(tmp_path: Path) -> None:
    demo = create_engine(f"sqlite:///{tmp_path / 'demo.db'}")  # the demo's database
    Base.metadata.create_all(demo, tables=[Customer.__table__])
    with demo.begin() as connection:
        returned = statement_text.insert(connection, CUSTOMERS, ("email", "name"), _customers(3))
        stored = connection.execute(
            select(Customer.id, Customer.email, Customer.name, Customer.created_at).order_by(
                Customer.id
            )
        ).all()
        # Writes go one by one, each update's count read from its own statement.
        writes = (
            Writes()
            .update(Customer.__table__, returned[0]["id"], {"name": "B"})
            .insert(CUSTOMERS, ("email",), [{"email": "d@x.jp"}])
            .update(Customer.__table__, -1, {"name": "C"})
        )
        assert writes.send(connection) == [1, 0]
        renamed = connection.scalar(select(Customer.name).where(Customer.id == returned[0]["id"]))
    demo.dispose()
    assert renamed == "B"
    assert [(row.email, row.name) for row in stored] == [
        (row["email"], row["name"]) for row in _customers(3)
    ]
    assert [row["id"] for row in returned] == [row.id for row in stored]
    assert all(row["created_at"].tzinfo is not None for row in returned)


def test_rows_of_one_table_in_several_inserts_keep_the_order_given(connection: Connection) -> None:
    first, second = _event(), _event()
    without_message = {key: value for key, value in _event().items() if key != "message"}
    writes = (
        Writes()
        .insert(EVENTS, tuple(first), [first, second])
        .insert(CUSTOMERS, ("email",), _customers(1))
        .insert(EVENTS, tuple(without_message), [without_message | {"kind": "order.updated"}])
    )
    writes.send(connection)
    kinds = connection.scalars(select(Event.kind).order_by(Event.id)).all()
    assert kinds == ["order.created", "order.created", "order.updated"]


def test_an_insert_of_every_column_returns_nothing_more(connection: Connection) -> None:
    row = {
        "id": 70,
        "external_id": "C-70",
        "email": "c70@shop.example",
        "phone": None,
        "name": "C",
        "locale": "en",
        "created_at": utcnow(),
    }
    assert statement_text.insert(connection, CUSTOMERS, tuple(row), [row]) == [{}]
    assert connection.scalar(select(Customer.email).where(Customer.id == 70)) == row["email"]
