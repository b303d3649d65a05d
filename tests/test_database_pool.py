"""The connection pool pings a connection only after it sat idle, and replaces a dead one;
psycopg converts a long statement once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from psycopg import _queries
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.pool import NullPool

from returns_service import extensions
from returns_service.extensions import Database


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url
    database = Database()
    database.init_app(app)
    yield database.engine
    database.engine.dispose()


def _statements(engine: Engine) -> list[str]:
    sent: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
    return sent


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(text("SELECT pg_backend_pid()"))


def test_a_connection_used_a_moment_ago_is_not_pinged(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _backend_pid(engine)
    pings: list[object] = []
    ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda c: pings.append(c) or ping(c))
    assert _backend_pid(engine) == first
    assert pings == []
    monkeypatch.setattr(extensions, "IDLE_PING_SECONDS", 0.0)
    assert _backend_pid(engine) == first
    assert len(pings) == 1


def test_an_idle_connection_that_died_is_replaced_before_use(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = _backend_pid(engine)
    other = create_engine(database_url, poolclass=NullPool)
    with other.begin() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dead})
    other.dispose()
    monkeypatch.setattr(extensions, "IDLE_PING_SECONDS", 0.0)
    sent = _statements(engine)
    assert _backend_pid(engine) != dead  # no error: the ping found it dead, a new one came
    assert sent == ["SELECT pg_backend_pid()"]


def test_long_statements_are_converted_once(engine: Engine) -> None:
    """psycopg keeps its conversion of statements within its module's limits; the engine
    raises them (the test fails if psycopg renames the settings or stops reading them)."""
    assert _queries.MAX_CACHED_STATEMENT_LENGTH >= extensions.CACHED_STATEMENT_LENGTH
    assert _queries.MAX_CACHED_STATEMENT_PARAMS >= extensions.CACHED_STATEMENT_PARAMS
    names = [f"x{n}" for n in range(100)]
    long = "SELECT " + " + ".join(f"%({name})s::int" for name in names) + " " * 6000
    converted = _queries._query2pg.cache_info().misses
    with engine.connect() as connection:
        for _ in range(3):
            assert connection.exec_driver_sql(long, dict.fromkeys(names, 1)).scalar() == 100
    assert _queries._query2pg.cache_info().misses == converted + 1
