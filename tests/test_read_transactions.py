"""A transaction that wrote nothing keeps its connection's prepared statements; one that
wrote is rolled back as before."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Integer,
    MetaData,
    Table,
    column,
    func,
    select,
    table,
    text,
)

from returns_service.extensions import Database

_SCRATCH = Table("read_transactions_scratch", MetaData(), Column("n", Integer))
#: psycopg prepares a statement the sixth time a connection runs it.
_TIMES_TO_PREPARE = 6


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url
    database = Database()
    database.init_app(app)
    with database.engine.begin() as connection:
        _SCRATCH.create(connection, checkfirst=True)
    yield database.engine
    with database.engine.begin() as connection:
        _SCRATCH.drop(connection)
    database.engine.dispose()


def _prepared(connection: Connection) -> int:
    statements = table("pg_prepared_statements", column("name"))
    return connection.scalar(select(func.count()).select_from(statements))


def _read_until_prepared(connection: Connection) -> None:
    for _ in range(_TIMES_TO_PREPARE):
        connection.execute(select(_SCRATCH.c.n)).all()


def _pid(connection: Connection) -> int:
    return connection.scalar(select(func.pg_backend_pid()))


def test_a_transaction_that_only_read_keeps_the_prepared_statements(engine: Engine) -> None:
    with engine.connect() as connection:
        pid = _pid(connection)
        connection.execute(text("SET LOCAL jit = off"))
        _read_until_prepared(connection)
        assert _prepared(connection) == 1
    # Closed with its transaction open: SQLAlchemy rolls it back.
    with engine.connect() as connection:
        assert _pid(connection) == pid
        assert _prepared(connection) == 1


def test_a_transaction_that_wrote_is_rolled_back(engine: Engine) -> None:
    with engine.connect() as connection:
        _read_until_prepared(connection)
        connection.execute(_SCRATCH.insert().values(n=1))
        connection.rollback()
        assert connection.scalar(select(_SCRATCH.c.n)) is None
        assert _prepared(connection) == 0  # psycopg forgets them at a rollback


def test_a_text_statement_counts_as_a_write(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text(f"INSERT INTO {_SCRATCH.name} VALUES (2)"))
        connection.rollback()
        assert connection.scalar(select(_SCRATCH.c.n)) is None


def test_a_transaction_in_error_is_rolled_back_and_the_connection_still_serves(
    engine: Engine,
) -> None:
    with engine.connect() as connection:
        with pytest.raises(Exception, match="division by zero"):
            connection.execute(select(text("1 / 0")))
        connection.rollback()
        assert connection.scalar(select(text("1"))) == 1


def test_the_writes_of_the_next_transaction_are_tracked_afresh(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(_SCRATCH.insert().values(n=3))
        connection.commit()
        connection.execute(select(_SCRATCH.c.n)).all()  # a new transaction that only reads
        connection.rollback()
        connection.execute(_SCRATCH.insert().values(n=4))
        connection.rollback()
        assert connection.execute(select(_SCRATCH.c.n)).scalars().all() == [3]
