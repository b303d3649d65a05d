"""SQL that reads the same on PostgreSQL (production, tests) and SQLite (the demo)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Engine,
    Float,
    Integer,
    String,
    case,
    event,
    false,
    func,
    insert,
    literal_column,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.functions import FunctionElement

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def insert_skipping_duplicates(session: Session, entity: Any, key: list[str]) -> Insert:
    """An INSERT of ``entity`` that does nothing where a row with the same ``key`` exists.

    A parallel transaction inserting the same key waits for the first to commit, then
    inserts nothing: neither fails on the unique index.
    """
    statement = _INSERTS.get(session.get_bind().dialect.name, insert)(entity)
    if hasattr(statement, "on_conflict_do_nothing"):
        statement = statement.on_conflict_do_nothing(index_elements=key)
    return statement


def constant(value: str | int) -> ColumnElement[Any]:
    """``value`` written into the statement as a literal (quotes doubled; a backslash is
    refused), not sent as a parameter: for the models' codes (states, kinds, separators)
    and numbers (ranks, a page's length).

    With them in its text, PostgreSQL can plan a statement once for every execution (a
    generic plan), knowing which index reads the rows; and SQLAlchemy sends the statement
    as compiled, where a value it writes in at each execution (``IN`` of a list, a
    ``literal_execute`` parameter, ``aggregate_strings``' separator) has it rewrite the
    whole statement's text every time.
    """
    if isinstance(value, int):
        return literal_column(str(int(value)), Integer)
    if "\\" in str(value):
        # What a backslash means in a literal depends on a server setting: never written in.
        raise ValueError(f"a constant may not hold a backslash: {value!r}")
    return literal_column("'" + str(value).replace("'", "''") + "'", String)


def one_of(column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """``column IN (...)`` of the models' codes (enum members or their values), written
    into the statement (:func:`constant`); false for none."""
    values = list(values)
    if not values:
        return false()
    return column.in_([constant(getattr(value, "value", value)) for value in values])


class earlier_of(FunctionElement[Any]):  # noqa: N801 - used as a SQL function
    """The smaller of two values, skipping a NULL: PostgreSQL's ``LEAST``, which works each
    value out once (a subquery given to the portable form ran up to three times per row);
    elsewhere a ``CASE`` (SQLite's ``min`` of two values is NULL when either is)."""

    inherit_cache = True
    name = "earlier_of"


@compiles(earlier_of, "postgresql")
def _earlier_in_postgresql(element: earlier_of, compiler: Any, **kw: Any) -> str:
    first, second = (compiler.process(c, **kw) for c in element.clauses)
    return f"LEAST({first}, {second})"


@compiles(earlier_of)
def _earlier_elsewhere(element: earlier_of, compiler: Any, **kw: Any) -> str:
    first, second = list(element.clauses)
    portable = func.coalesce(case((first < second, first), else_=second), first, second)
    return compiler.process(portable, **kw)


class hours_between(FunctionElement[float]):  # noqa: N801 - used as a SQL function
    """Hours from ``earlier`` to ``later`` (two timestamps), as a float."""

    type = Float()
    inherit_cache = True
    name = "hours_between"


@compiles(hours_between, "postgresql")
def _hours_in_postgresql(element: hours_between, compiler: Any, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return (
        f"(EXTRACT(EPOCH FROM {compiler.process(later, **kw)} - "
        f"{compiler.process(earlier, **kw)}) / 3600.0)"
    )


@compiles(hours_between, "sqlite")
def _hours_in_sqlite(element: hours_between, compiler: Any, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return (
        f"((julianday({compiler.process(later, **kw)}) - "
        f"julianday({compiler.process(earlier, **kw)})) * 24.0)"
    )


class among(FunctionElement[bool]):  # noqa: N801 - used as a SQL operator
    """Whether a column's value is one of those a scalar subquery selects.

    PostgreSQL reads ``= ANY (ARRAY (subquery))`` as a list of values to look up by the
    column's index; the ``IN (subquery)`` that SQLite gets may become a join the planner
    chooses to make by reading the column's whole table.
    """

    type = Boolean()
    inherit_cache = True
    name = "among"


@compiles(among, "postgresql")
def _among_in_postgresql(element: among, compiler: Any, **kw: Any) -> str:
    column, values = (compiler.process(c, **kw) for c in element.clauses)
    return f"{column} = ANY (ARRAY {values})"


@compiles(among)
def _among_elsewhere(element: among, compiler: Any, **kw: Any) -> str:
    column, values = (compiler.process(c, **kw) for c in element.clauses)
    return f"{column} IN {values}"


def _commit_without_waiting_for_disk(dbapi_connection: Any, _record: Any) -> None:
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True  # so that no rollback undoes the setting
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    dbapi_connection.autocommit = autocommit


def wait_for_disk_at_commit(session: Session) -> None:
    """Make this transaction's commit wait until PostgreSQL has written it to disk, in a
    process that otherwise does not wait (:func:`commit_without_waiting_for_disk`): for a
    commit that records what cannot be had again, such as a refresh token already spent."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL synchronous_commit TO on"))


def commit_without_waiting_for_disk(engine: Engine) -> None:
    """Let this process's commits return before PostgreSQL has written them to disk.

    For processes whose transactions record an effect already made elsewhere (a job that
    sent its e-mail): a database crash loses at most the last fraction of a second of
    commits, whose jobs then run again, as after a worker killed before its commit. The
    data stays consistent; other sessions see a commit at once. Set on every new connection,
    so the pool is emptied; SQLite has no such setting.
    """
    if engine.dialect.name != "postgresql":
        return
    if not event.contains(engine, "connect", _commit_without_waiting_for_disk):
        event.listen(engine, "connect", _commit_without_waiting_for_disk)
        engine.dispose()
