"""New rows written by a plain insert per table, their objects kept in the session as loaded.

A new order, a request filed or a cancellation asked for is known whole before anything is
written: each table gets one insert that returns the ids, without the unit of work's
sorting and bookkeeping (measured, about a tenth cheaper than a flush of the same rows);
defaults and the columns nobody set are set here. Objects built beforehand stay out of the
session while they are decided (no read flushes them early) and keep the relationships
they were built with, as loaded, so reading them asks the database nothing. Rows whose keys
were drawn beforehand (a filed return, a refund) wait in the session instead, and the
flush writes them with its other plain writes (:func:`insert_at_flush`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection, Insert, Table, insert, inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from returns_service import statement_text
from returns_service.drawn_keys import draw_key, take_spare_key
from returns_service.loaded_objects import as_loaded, keep_as_loaded, loadable
from returns_service.models import Base, kept_in_transaction
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
    foreign keys too). The ids come back from the insert; the defaults are set too. The
    objects stay out of the session until :func:`loaded_objects.keep_as_loaded`.
    """
    if objects:
        _write(_connection(session), objects, *_prepared(session, objects))


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
    connection = _connection(session)
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


def insert_new_with_children(
    session: Session, parent: Base, children: Sequence[Base], link: str
) -> None:
    """Insert new ``parent`` and ``children`` (see :func:`insert_returning_with_children`),
    to be objects of the session as loaded: at the next flush where their keys are given
    (:func:`insert_at_flush`), at once otherwise."""
    if _key_of(parent) is not None:
        insert_at_flush(session, parent, children, link)
    else:
        insert_returning_with_children(session, parent, children, link)
        keep_as_loaded(session, [parent, *children])


#: The kind of :func:`~returns_service.models.kept_in_transaction` list of the objects
#: waiting for the next flush to insert them (:func:`insert_at_flush`).
_AT_FLUSH = "inserted_at_flush"


def insert_keyed(session: Session, model: type[_Row], values: dict[str, Any]) -> _Row:
    """A new row of ``model`` whose key is needed at once (others name it before the flush):
    on PostgreSQL its key a spare the transaction drew earlier or one drawn now (see
    :mod:`~returns_service.drawn_keys`) and the row written by :func:`insert_at_flush`,
    elsewhere inserted now; its object, of the session either way."""
    table = loadable(model).local_table
    key = take_spare_key(session, table)
    if key is None:
        key = draw_key(session.connection(), table)
    if key is None:
        [row] = insert_rows(session, model, [values])
        return row
    [key_column] = table.primary_key.columns
    row = model(**values, **{key_column.key: key})
    insert_at_flush(session, row)
    return row


def insert_at_flush(
    session: Session, parent: Base, children: Sequence[Base] = (), link: str = ""
) -> None:
    """Have the next flush insert new ``parent`` and ``children``, their keys given (see
    :mod:`~returns_service.drawn_keys`), with its other plain writes, each child's ``link``
    (a foreign key) set to the parent's key.

    No statement of their own and nothing to read back: what the use case changes on them
    before the flush goes in their insert. They are pending in the session until then, and
    kept as loaded once written; a read that flushes writes them then, and a plain insert
    here writes them first (its row may name them).
    """
    key = _key_of(parent)
    if key is None or any(_key_of(child) is None for child in children):
        raise ValueError("objects inserted at the flush must have their keys")
    for child in children:
        setattr(child, link, key)
    for instance in (parent, *children):  # as an insert would set them, for what reads them
        table = inspect(instance).mapper.local_table
        defaults = statement_text.unsent_columns(table, _columns_set(table, instance)).made()
        for name, value in defaults.items():
            setattr(instance, name, value)
    session.add_all([parent, *children])
    kept_in_transaction(session, _AT_FLUSH).extend([parent, *children])


def gather_inserted_at_flush(session: Session, writes: statement_text.Writes) -> list[Base]:
    """Add to ``writes`` the inserts of the objects of :func:`insert_at_flush`, as they are
    now, one per table, the tables in the order their foreign keys need (where the writes go
    one by one, each table's rows find those they name); take them out of the session. They
    are to be kept as loaded once written.

    Each row gives every column (the defaults made, null where nobody set one), so that
    rows of one table setting different columns go together.
    """
    waiting = kept_in_transaction(session, _AT_FLUSH)
    objects = [instance for instance in waiting if inspect(instance).pending]
    del waiting[:]
    for instance in objects:
        if inspect(instance).session is not None:  # a parent's expunge takes its children
            session.expunge(instance)
    by_table: dict[Table, list[dict[str, Any]]] = {}
    for instance in objects:
        table = inspect(instance).mapper.local_table
        keys = _columns_set(table, instance)
        unsent = statement_text.unsent_columns(table, keys)
        if unsent.returned:
            names = ", ".join(column.key for column in unsent.returned)
            raise ValueError(f"{table.name}: the database works out {names}; not insertable here")
        given = {key: instance.__dict__[key] for key in keys} | unsent.made()
        unset = unsent.known(given, {})
        for key, value in unset.items():
            set_committed_value(instance, key, value)
        values = given | unset
        by_table.setdefault(table, []).append({c.key: values[c.key] for c in table.c})
    for table in sorted(by_table, key=_place_by_foreign_keys):
        rows = by_table[table]
        writes.insert(_insert(table), tuple(rows[0]), rows)
    return objects


#: Each table's place among all, those a foreign key names first (worked out once: sorting
#: the tables cost a tenth of a filing's flush).
_PLACES: dict[Table, int] = {}


def _place_by_foreign_keys(table: Table) -> int:
    if table not in _PLACES:
        _PLACES.update({t: n for n, t in enumerate(Base.metadata.sorted_tables)})
    return _PLACES[table]


def _connection(session: Session) -> Connection:
    """The session's connection, once the objects waiting for its flush are written: a row
    inserted on it may name them."""
    if kept_in_transaction(session, _AT_FLUSH):
        session.flush()
    return session.connection()


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
    returned = statement_text.insert(_connection(session), statement, tuple(values), [values])
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
        _connection(session),
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

    Every row must name the same columns; the ids come back from the insert and the
    defaults are set too, so the objects have nothing left to load. The objects are made as
    the ORM makes those it reads, their values set without the constructor's bookkeeping of
    each change (which cost more than the insert): so no model with validators is taken.
    """
    table = loadable(model).local_table
    keys = tuple(rows[0])
    if any(tuple(row) != keys for row in rows[1:]):
        raise ValueError(f"{table.name}: rows inserted together must name the same columns")
    returned = statement_text.insert(_connection(session), _insert(table), keys, rows)
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
