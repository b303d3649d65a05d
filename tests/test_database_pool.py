"""The connection pool pings a connection only after it sat idle, and replaces a dead one;
psycopg converts a long statement once, and describes a result's columns only when they are
read."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC

import psycopg
import pytest
from flask import Flask
from psycopg import _queries
from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Integer,
    MetaData,
    Table,
    column,
    create_engine,
    event,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.pool import NullPool

from returns_service import extensions
from returns_service.extensions import Database
from returns_service.lazy_description import LazyDescriptionCursor
from returns_service.models import UTCDateTime


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


def _pid(connection: Connection) -> int:
    return connection.scalar(select(func.pg_backend_pid()))


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as connection:
        return _pid(connection)


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
    assert len(sent) == 1 and "pg_backend_pid" in sent[0]  # and no ping of its own


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


_SCRATCH = Table("read_transactions_scratch", MetaData(), Column("n", Integer))
#: psycopg prepares a statement the sixth time a connection runs it.
_TIMES_TO_PREPARE = 6


@pytest.fixture
def scratch(engine: Engine) -> Iterator[Table]:
    """A table of its own to write to and roll back."""
    with engine.begin() as connection:
        _SCRATCH.create(connection, checkfirst=True)
    yield _SCRATCH
    with engine.begin() as connection:
        _SCRATCH.drop(connection)


def _prepared(connection: Connection) -> int:
    statements = table("pg_prepared_statements", column("name"))
    return connection.scalar(select(func.count()).select_from(statements))


def _read_until_prepared(connection: Connection) -> None:
    for _ in range(_TIMES_TO_PREPARE):
        connection.execute(select(_SCRATCH.c.n)).all()


def test_a_transaction_that_only_read_keeps_the_prepared_statements(
    engine: Engine, scratch: Table
) -> None:
    with engine.connect() as connection:
        pid = _pid(connection)
        connection.execute(text("SET LOCAL jit = off"))
        _read_until_prepared(connection)
        assert _prepared(connection) == 1
    # Closed with its transaction open: SQLAlchemy rolls it back.
    with engine.connect() as connection:
        assert _pid(connection) == pid
        assert _prepared(connection) == 1


def test_a_transaction_that_wrote_is_rolled_back(engine: Engine, scratch: Table) -> None:
    with engine.connect() as connection:
        _read_until_prepared(connection)
        connection.execute(_SCRATCH.insert().values(n=1))
        connection.rollback()
        assert connection.scalar(select(_SCRATCH.c.n)) is None
        assert _prepared(connection) == 0  # psycopg forgets them at a rollback


def test_a_text_statement_counts_as_a_write(engine: Engine, scratch: Table) -> None:
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


def test_the_writes_of_the_next_transaction_are_tracked_afresh(
    engine: Engine, scratch: Table
) -> None:
    with engine.connect() as connection:
        connection.execute(_SCRATCH.insert().values(n=3))
        connection.commit()
        connection.execute(select(_SCRATCH.c.n)).all()  # a new transaction that only reads
        connection.rollback()
        connection.execute(_SCRATCH.insert().values(n=4))
        connection.rollback()
        assert connection.execute(select(_SCRATCH.c.n)).scalars().all() == [3]


def test_a_cursor_describes_its_columns_when_they_are_read(database_url: str) -> None:
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, cursor_factory=LazyDescriptionCursor) as connection:
        cursor = connection.cursor()
        cursor.execute("SELECT 1 AS one, 'two'::text AS two")
        described = cursor.description
        assert len(described) == 2
        assert [column.name for column in described] == ["one", "two"]
        assert described[1].type_code == psycopg.adapters.types["text"].oid
        assert cursor.fetchall() == [(1, "two")]

        cursor.execute("SELECT 3 AS three")
        read_in_time, read_late = cursor.description, cursor.description
        assert read_in_time[0].name == "three"
        cursor.execute("SELECT 4 AS four")
        assert read_in_time[0].name == "three"  # built while it was current
        with pytest.raises(RuntimeError, match="another statement"):
            read_late[0]  # noqa: B018 (it would name the next statement's columns)

        cursor.execute("CREATE TEMPORARY TABLE nothing_returned (id int)")
        assert cursor.description is None


def test_a_statement_run_again_does_not_describe_its_columns(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = []
    psycopgs_own = psycopg.Cursor.description

    def counted(cursor: psycopg.Cursor) -> object:
        built.append(cursor)
        return psycopgs_own.fget(cursor)

    monkeypatch.setattr(psycopg.Cursor, "description", property(counted))
    statement = select(func.now().label("now"), func.pg_backend_pid().label("pid"))
    with engine.connect() as connection:
        first = connection.execute(statement).one()
        assert built  # SQLAlchemy reads the names once, to know the statement's columns
        before = len(built)
        again = connection.execute(statement).one()
    assert len(built) == before
    assert again._mapping["pid"] == first._mapping["pid"]
    assert list(again._fields) == ["now", "pid"]


def test_the_service_connects_with_jit_off_and_utc_after_the_urls_own_options(
    database_url: str,
) -> None:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url + "?options=-c%20statement_timeout%3D4321"
    database = Database()
    database.init_app(app)
    try:
        with database.engine.connect() as connection:
            assert connection.scalar(text("SHOW jit")) == "off"
            assert connection.scalar(text("SHOW TimeZone")) == "UTC"
            # Read as they come: a moment in UTC, as the models' UTCDateTime promises.
            moment = connection.scalar(select(literal_column("now()", UTCDateTime())))
            assert moment.tzinfo is UTC
            assert connection.scalar(text("SHOW statement_timeout")) == "4321ms"
    finally:
        database.engine.dispose()


def test_a_connection_whose_options_did_not_set_utc_is_set_to_it(database_url: str) -> None:
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, options="-c TimeZone=Asia/Tokyo") as connection:
        extensions.in_utc(connection)
        assert connection.info.parameter_status("TimeZone") == "UTC"
        assert connection.execute("SHOW TimeZone").fetchone() == ("UTC",)
