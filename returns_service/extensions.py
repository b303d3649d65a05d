"""Extensions created once at import, bound to an app with ``init_app``; no connections here."""

from __future__ import annotations

import time
from typing import Any

import psycopg
from flask import Flask, current_app
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_smorest import Api
from flask_wtf.csrf import CSRFProtect
from psycopg import _queries
from psycopg.pq import TransactionStatus
from redis import Redis
from rq import Queue
from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from returns_service.lazy_description import LazyDescriptionCursor


class Database:
    """The engine and a scoped session per thread, removed when the app context ends."""

    def __init__(self) -> None:
        self.session_factory = sessionmaker(expire_on_commit=False)
        self.session: scoped_session[Session] = scoped_session(self.session_factory)
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            raise RuntimeError("the database is not bound: call init_app first")
        return self._engine

    def init_app(self, app: Flask) -> None:
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        # hide_parameters: errors and logs must not carry customers' data bound into SQL.
        options: dict[str, Any] = {"hide_parameters": True}
        if url.startswith("sqlite"):
            options["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            cache_long_statements()
            options["connect_args"] = {
                "cursor_factory": LazyDescriptionCursor,
                "options": _server_options(make_url(url).query.get("options")),
            }
        self._engine = create_engine(url, **options)
        _ping_when_idle(self._engine)
        _watch_writes(self._engine)
        if self._engine.dialect.name == "postgresql":
            _keep_prepared_statements(self._engine)
            _insert_many_rows_in_one_statement(self._engine)
            event.listen(self._engine, "connect", in_utc)
        if url.startswith("sqlite"):
            event.listen(self._engine, "connect", _sqlite_pragmas)
        self.session_factory.configure(bind=self._engine)
        app.teardown_appcontext(self._remove_session)

    def connection_without_transaction(self) -> Connection:
        """A pooled connection on which every statement stands alone: no ``BEGIN`` before
        them, no ``ROLLBACK`` after (two round trips, more than a small read costs).

        For reads that write nothing and whose statements need not see one snapshot;
        close it (``with``) to give it back.
        """
        return self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def read_only_session(self) -> None:
        """Have this session's statements stand alone, as with
        :meth:`connection_without_transaction`, and refuse any that writes.

        For a request that only shows what is there (a staff page opened): under PostgreSQL's
        read committed every statement sees its own snapshot anyway, so only the ``BEGIN``
        and ``COMMIT`` round trips go. Called before the session has its connection.
        """
        self.session.connection(
            execution_options={"isolation_level": "AUTOCOMMIT", _READ_ONLY: True}
        )

    def _remove_session(self, exc: BaseException | None) -> None:
        self.session.remove()


def _server_options(options: str | tuple[str, ...] | None) -> str:
    """The connection's server options, after any the database URL gives: JIT compilation
    off, and times in UTC.

    The planner asks for JIT on a query it expects to be long (a month of a big shop on the
    numbers page, a simulation over a million lines), and compiling then took 0.15-0.7 s:
    longer than it saves on queries whose per-row work is a lookup or two. Set for the
    connection rather than per transaction, as a page opened reads without one.

    The service keeps and compares every moment in UTC; psycopg reads a timestamp sent in
    the zone named ``UTC`` without Python's help, and one in any other zone (``Etc/UTC``,
    a server's default, included) with a call per value: 51 rows of the work list read in
    0.12 ms more.
    """
    given = " ".join(options) if isinstance(options, tuple) else options or ""
    return f"{given} -c jit=off -c TimeZone=UTC".strip()


#: The longest statement, and the most parameters, with which psycopg converts a statement's
#: placeholders once rather than on every execution: the work list's statement (6 KiB, 86
#: parameters) and a return page's first (4 KiB) are past psycopg's own 4 KiB and 50.
CACHED_STATEMENT_LENGTH = 16_384
CACHED_STATEMENT_PARAMS = 256


def cache_long_statements() -> None:
    """Raise psycopg's limits on the statements it keeps converted (module settings of
    ``psycopg._queries``; its cache keeps 128 statements whatever their size): parsing
    the work list's statement again was a tenth of the page's time."""
    if _queries.MAX_CACHED_STATEMENT_LENGTH < CACHED_STATEMENT_LENGTH:
        _queries.MAX_CACHED_STATEMENT_LENGTH = CACHED_STATEMENT_LENGTH
    if _queries.MAX_CACHED_STATEMENT_PARAMS < CACHED_STATEMENT_PARAMS:
        _queries.MAX_CACHED_STATEMENT_PARAMS = CACHED_STATEMENT_PARAMS


#: A connection back in the pool for longer than this is pinged before it is used again.
IDLE_PING_SECONDS = 5.0


def _ping_when_idle(engine: Engine) -> None:
    """``pool_pre_ping`` for connections that sat idle only.

    Pinging on every checkout costs each request a round trip; a connection used a moment
    ago is as alive as a ping would show. One that failed mid-request invalidates the pool
    (SQLAlchemy's disconnect handling), so only an idle one can be stale.
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(dbapi_connection: Any, record: Any) -> None:
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        since = record.info.get("checked_in_at")
        if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
            return  # new (just connected) or used a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # noqa: BLE001 - any failure means a dead connection
            raise DisconnectionError(str(error)) from error  # the pool reconnects


#: The execution option of a read-only session's connection (:meth:`Database.read_only_session`).
_READ_ONLY = "returns_read_only"


class WriteWhileReadOnly(RuntimeError):
    """A statement that may write, sent on a read-only session's connection."""


def _may_write(statement: str, context: Any) -> bool:
    """Whether a statement may write: an insert, update, delete, or text other than a
    ``SET LOCAL``."""
    return bool(
        context.isinsert
        or context.isupdate
        or context.isdelete
        or (context.is_text and not statement.startswith("SET LOCAL "))
    )


#: In a connection's ``info``: whether its transaction sent anything that may have written.
_MAY_HAVE_WRITTEN = "may_have_written"


def _watch_writes(engine: Engine) -> None:
    """One look at every statement sent (one listener: each costs every statement a call):
    a statement that may write is refused on a read-only session's connection, and noted
    in the connection's ``info`` for :func:`_keep_prepared_statements`."""

    @event.listens_for(engine, "before_cursor_execute")
    def _sending(connection: Connection, cursor: Any, statement: str, *args: Any) -> None:
        if not _may_write(statement, args[-2]):
            return
        if connection.get_execution_options().get(_READ_ONLY):
            raise WriteWhileReadOnly(f"a read-only session may not send: {statement[:80]}")
        connection.info[_MAY_HAVE_WRITTEN] = True


def _keep_prepared_statements(engine: Engine) -> None:
    """End a transaction that wrote nothing with ``COMMIT`` where SQLAlchemy would roll back.

    psycopg prepares a statement on a connection once it has run a few times there (the
    plan is then made once, not at every execution: for a page's larger statements that
    was most of PostgreSQL's work), and forgets every prepared statement of the connection
    at each ``ROLLBACK``. Every request that only reads ends its transaction with one (the
    session closes, the pool resets the connection), so pages planned their statements
    afresh on every request. For a transaction that wrote nothing, ``COMMIT`` and
    ``ROLLBACK`` are the same; one with any insert, update, delete or text statement other
    than a ``SET LOCAL`` (or one in error) is still rolled back; :func:`_watch_writes`
    notes which may have written.
    """

    @event.listens_for(engine, "begin")
    def _began(connection: Connection) -> None:
        connection.info[_MAY_HAVE_WRITTEN] = False

    @event.listens_for(engine, "rollback")
    def _rolling_back(connection: Connection) -> None:
        if connection.invalidated or connection.info.get(_MAY_HAVE_WRITTEN) is not False:
            return
        dbapi_connection = connection.connection.dbapi_connection
        if dbapi_connection.info.transaction_status != TransactionStatus.INTRANS:
            return  # nothing begun, or a statement failed: the rollback ends it
        try:
            dbapi_connection.commit()  # the rollback that follows finds nothing to undo
        except psycopg.Error:
            pass  # a broken connection: the rollback that follows deals with it


def _insert_many_rows_in_one_statement(engine: Engine) -> None:
    """Have SQLAlchemy send several rows of one ``INSERT`` without ``RETURNING`` (a use
    case's events, its outbox messages) as one statement with a ``VALUES`` list, as it does
    for an ``INSERT`` that returns and as its psycopg2 dialect does for both.

    Otherwise psycopg sends them in its pipeline mode, whose setting up and taking down
    cost more than the rows: three rows of events took 223 µs of this process's time that
    way and 162 µs as one statement (3,000 inserts each, timed in turn).
    """
    engine.dialect.use_insertmanyvalues_wo_returning = True


def in_utc(dbapi_connection: Any, _connection_record: Any = None) -> None:
    """Set a new connection's time zone to UTC where its options did not (a pooler in
    between may drop them): ``models.UTCDateTime`` reads PostgreSQL's times as they come."""
    if dbapi_connection.info.parameter_status("TimeZone") == "UTC":
        return
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'UTC'")
    dbapi_connection.commit()  # a SET rolled back with its transaction would be undone


def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the demo's web process and worker read while the other writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class JobQueue:
    """The Redis connection and the RQ queue of one app."""

    QUEUE_NAME = "returns"

    def init_app(self, app: Flask) -> None:
        connection = Redis.from_url(
            app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=10
        )
        app.extensions["job_queue"] = Queue(self.QUEUE_NAME, connection=connection)

    @property
    def queue(self) -> Queue:
        return current_app.extensions["job_queue"]

    @property
    def redis(self) -> Redis:
        return self.queue.connection


db = Database()
jobs = JobQueue()
api = Api()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
babel = Babel()
login_manager = LoginManager()
#: Checks only where a page blueprint asks (``csrf.protect()``): the JSON API takes tokens.
csrf = CSRFProtect()
