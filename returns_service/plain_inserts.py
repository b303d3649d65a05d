"""New rows written by a plain insert per table, their objects kept in the session as loaded.

A new order, a request filed or a cancellation asked for is known whole before anything is
written: each table gets one insert that returns the ids and defaults, without the unit of
work's sorting and bookkeeping (measured, about a tenth cheaper than a flush of the same
rows). Objects built beforehand stay out of the session while they are decided (no read
flushes them early) and keep the relationships they were built with, as loaded, so reading
them asks the database nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection, Insert, Table, insert, inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from returns_service import statement_text
from returns_service.loaded_objects import as_loaded, loadable
from returns_service.models import Base
from returns_service.portable_sql import insert_skipping_duplicates

_Row = TypeVar("_Row", bound=Base)
_Child = TypeVar("_Child", bound=Base)

#: Each insert built once per table (and, for one that skips a row whose key is taken,
#: that key and the dialect): building one costs more than sending it.
_INSERTS: dict[Table, Insert] = {}
_INSERTS_UNLESS_TAKEN: dict[tuple[Table, tuple[str, ...], str], Insert] = {}

#: What must be worked out on new objects of a model before a plain insert writes them, as
#: a flush's ``before_flush`` listeners would (they do not see these objects).
_BEFORE_INSERT: dict[type[Base], list[Callable[[Session, Sequence[Any]], None]]] = {}


def before_insert(model: type[Base], hook: Callable[[Session, Sequence[Any]], None]) -> None:
    """Have ``hook(session, objects)`` run on new objects of ``model`` before
    :func:`insert_returning` writes them; registering a hook twice keeps one."""
    hooks = _BEFORE_INSERT.setdefault(model, [])
    if hook not in hooks:
        hooks.append(hook)


def _insert(table: Table) -> Insert:
    statement = _INSERTS.get(table)
    if statement is None:
        statement = _INSERTS[table] = insert(table)
    return statement


def insert_returning(session: Session, objects: Sequence[Base]) -> None:
    """Insert new objects of one model in one statement, setting what it returns on them.

    Every object must have the same columns set (relationships are not written: set the
    foreign keys too). What is not set comes back from the insert (ids, defaults). The
    objects stay out of the session until :func:`loaded_objects.keep_as_loaded`.
    """
    if objects:
        _write(session.connection(), objects, *_prepared(session, objects))


def _write(
    connection: Connection,
    objects: Sequence[Base],
    table: Table,
    keys: tuple[str, ...],
    rows: list[dict[str, Any]],
) -> None:
    """Insert the prepared rows of ``objects`` and set on them what comes back."""
    _set_returned(objects, statement_text.insert(connection, _insert(table), keys, rows))


def insert_returning_with_children(
    session: Session, parent: Base, children: Sequence[Base], link: str
) -> None:
    """:func:`insert_returning` of ``parent``, then of ``children`` with their ``link`` (a
    foreign key, not set on them) set to its new id: on PostgreSQL in one statement (a
    round trip less for a filed return or a cancellation with its lines)."""
    table, keys, [row] = _prepared(session, [parent])
    child_table, child_keys, rows = _prepared(session, children) if children else (None, (), [])
    connection = session.connection()
    if child_table is not None and _with_parent(session, child_table, child_keys, len(rows)):
        both = statement_text.insert_with_children(
            connection, _insert(table), row, _insert(child_table), link, rows
        )
        if both is None:  # a plain insert always writes its row
            raise RuntimeError(f"{table.name}: the insert wrote no row")
        _set_returned([parent], [both[0]])
        _set_returned(children, both[1])
        return
    _write(connection, [parent], table, keys, [row])
    if child_table is None:
        return
    parent_id = _key_of(parent)
    for child in children:
        setattr(child, link, parent_id)
    linked = [{**values, link: parent_id} for values in rows]
    _write(connection, children, child_table, (*child_keys, link), linked)


def _with_parent(session: Session, child_table: Table, keys: tuple[str, ...], count: int) -> bool:
    """Whether ``count`` children giving ``keys`` go in with their parent's insert."""
    return statement_text.takes_children(session.get_bind().dialect, child_table, keys, count)


def _key_of(instance: Base) -> Any:
    return inspect(instance).mapper.primary_key_from_instance(instance)[0]


def _columns_set(table: Table, instance: Base) -> tuple[str, ...]:
    return tuple(column.key for column in table.columns if column.key in instance.__dict__)


def _prepared(
    session: Session, objects: Sequence[Base]
) -> tuple[Table, tuple[str, ...], list[dict[str, Any]]]:
    """The table of new ``objects`` of one model (its hooks run on them), the columns they
    set and their values: refused (``ValueError``) where they set different columns."""
    for hook in _BEFORE_INSERT.get(type(objects[0]), ()):
        hook(session, objects)
    table = inspect(objects[0]).mapper.local_table
    keys = _columns_set(table, objects[0])
    for instance in objects[1:]:
        if _columns_set(table, instance) != keys:
            raise ValueError(f"{table.name}: objects inserted together must set the same columns")
    return table, keys, [{key: instance.__dict__[key] for key in keys} for instance in objects]


def _set_returned(objects: Sequence[Base], returned: Sequence[dict[str, Any]]) -> None:
    for instance, result in zip(objects, returned, strict=True):
        for key, value in result.items():
            set_committed_value(instance, key, value)


def _insert_unless_taken(session: Session, table: Table, key: tuple[str, ...]) -> Insert:
    cache_key = (table, key, session.get_bind().dialect.name)
    statement = _INSERTS_UNLESS_TAKEN.get(cache_key)
    if statement is None:
        statement = insert_skipping_duplicates(session, table, list(key))
        _INSERTS_UNLESS_TAKEN[cache_key] = statement
    return statement


def insert_row_unless_taken(
    session: Session, model: type[_Row], values: dict[str, Any], key: tuple[str, ...]
) -> _Row | None:
    """Insert one row of ``model`` unless its ``key`` (a unique key's columns) is taken;
    its object as loaded, as :func:`insert_rows` makes them, or None where the key is taken.

    Taken by a row already there, or by one a parallel transaction inserts meanwhile: the
    insert then waits for that one to commit, and inserts nothing.
    """
    statement = _insert_unless_taken(session, loadable(model).local_table, key)
    returned = statement_text.insert(session.connection(), statement, tuple(values), [values])
    if not returned:
        return None
    [row] = as_loaded(session, model, [values | returned[0]])
    return row


def insert_row_with_children_unless_taken(
    session: Session,
    model: type[_Row],
    values: dict[str, Any],
    key: tuple[str, ...],
    child_model: type[_Child],
    link: str,
    children: list[dict[str, Any]],
) -> tuple[_Row, list[_Child]] | None:
    """:func:`insert_row_unless_taken`, then :func:`insert_rows` of ``children`` with
    ``link`` set to its id: on PostgreSQL in one statement (a round trip less for every new
    order; see :func:`~returns_service.statement_text.takes_children`); the objects as
    loaded, or None with nothing written where the key is taken."""
    table = loadable(model).local_table
    child_table = loadable(child_model).local_table
    keys = tuple(children[0]) if children else ()
    if not _with_parent(session, child_table, keys, len(children)):
        row = insert_row_unless_taken(session, model, values, key)
        if row is None:
            return None
        linked = [{link: _key_of(row), **child} for child in children]
        return row, insert_rows(session, child_model, linked) if linked else []
    returned = statement_text.insert_with_children(
        session.connection(),
        _insert_unless_taken(session, table, key),
        values,
        _insert(child_table),
        link,
        children,
    )
    if returned is None:
        return None
    parent, added = returned
    [row] = as_loaded(session, model, [values | parent])
    parent_id = _key_of(row)
    loaded = as_loaded(
        session,
        child_model,
        ({link: parent_id, **child, **got} for child, got in zip(children, added, strict=True)),
    )
    return row, loaded


def insert_rows(session: Session, model: type[_Row], rows: list[dict[str, Any]]) -> list[_Row]:
    """Insert ``rows`` of ``model``'s table in one statement; their objects, as loaded.

    Every row must name the same columns; the rest (ids, defaults) come back from the
    insert, so the objects have nothing left to load. The objects are made as the ORM
    makes those it reads, their values set without the constructor's bookkeeping of each
    change (which cost more than the insert): so no model with validators is taken.
    """
    table = loadable(model).local_table
    keys = tuple(rows[0])
    if any(tuple(row) != keys for row in rows[1:]):
        raise ValueError(f"{table.name}: rows inserted together must name the same columns")
    returned = statement_text.insert(session.connection(), _insert(table), keys, rows)
    return as_loaded(
        session,
        model,
        (values | result for values, result in zip(rows, returned, strict=True)),
    )


#: Append-only models whose new objects a flush writes by plain inserts (see
#: :func:`write_at_flush`), each with its insert, built once.
_APPENDED: dict[type[Base], Insert] = {}


def write_at_flush(model: type[Base]) -> None:
    """Have :func:`gather_appended` write new objects of ``model``; registering it twice
    keeps one.

    For a model whose rows are only ever added (the timeline's events, the outbox's
    messages), that no relationship links to, and whose objects nobody reads again through
    the session once flushed.
    """
    if model not in _APPENDED:
        _APPENDED[model] = insert(loadable(model).local_table)


def gather_appended(session: Session, writes: statement_text.Writes) -> None:
    """Add to ``writes`` the flush's new objects of the models of :func:`write_at_flush`, one
    insert per model (and run of objects setting the same columns), and take them out of
    the session.

    The unit of work's sorting and bookkeeping cost several times their insert. What such
    a row names (its subject, its order) had its id from an earlier flush. The objects are
    left as they were built, detached: nothing of theirs is read back.
    """
    if not _APPENDED:
        return
    by_model: dict[type[Base], list[Base]] = {}
    for instance in session.new:
        if type(instance) in _APPENDED:
            by_model.setdefault(type(instance), []).append(instance)
    for model, objects in by_model.items():
        for instance in objects:
            session.expunge(instance)
        statement = _APPENDED[model]
        columns = [column.key for column in statement.table.columns]
        batches: list[tuple[tuple[str, ...], list[dict[str, Any]]]] = []
        for instance in objects:  # in the order recorded, as their ids must be
            values = instance.__dict__
            keys = tuple(key for key in columns if key in values)
            if not batches or batches[-1][0] != keys:
                batches.append((keys, []))
            batches[-1][1].append({key: values[key] for key in keys})
        for keys, rows in batches:
            writes.insert(statement, keys, rows)
