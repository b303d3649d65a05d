"""Objects of rows written or read by plain statements, kept in the session as loaded.

The ORM's own loading of a row (a query through the session) costs several times the
statement on the hot paths; an object made from the row here is the same to everything
after it: persistent, in the identity map, nothing of it written again unless changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import Executable, Select, inspect, select
from sqlalchemy.orm import Mapper, Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

_Row = TypeVar("_Row")


def keep_as_loaded(session: Session, objects: Sequence[Any]) -> None:
    """Put inserted objects in the session as if just read: nothing of them is written again.

    All are made loaded before any joins the session, so a parent's cascade does not add
    its children as new.
    """
    for instance in objects:
        make_transient_to_detached(instance)
    for instance in objects:
        session.add(instance)


def loadable(model: type) -> Mapper[Any]:
    """``model``'s mapper, if objects of it may be made as loaded: refused (``TypeError``)
    for a model with validators, which making them so would skip, and for one whose rows
    span more than its own table."""
    mapper = inspect(model)
    if mapper.validators:
        raise TypeError(f"{model.__name__} validates its values: build it with its constructor")
    if mapper.inherits is not None:
        raise TypeError(f"{model.__name__} is mapped over more than its own table")
    return mapper


def as_loaded(session: Session, model: type[_Row], rows: Iterable[Mapping[str, Any]]) -> list[_Row]:
    """Objects of ``model`` made from ``rows`` (every column of its table, by key) as the ORM
    makes those it reads: values set without the constructor's bookkeeping of each change,
    so no model with validators is taken."""
    mapper = loadable(model)
    objects = []
    for values in rows:
        instance = mapper.class_manager.new_instance()
        instance.__dict__.update(values)
        objects.append(instance)
    keep_as_loaded(session, objects)
    return objects


def every_column(model: type) -> Select:
    """A select of every column of ``model``'s table, labelled by key: rows
    :func:`read_as_loaded` makes objects of."""
    return select(*(column.label(column.key) for column in loadable(model).local_table.columns))


def read_as_loaded(
    session: Session, model: type[_Row], statement: Executable, params: Mapping[str, Any]
) -> list[_Row]:
    """The objects of the rows a plain statement (see :func:`every_column`) returns, made
    as the ORM makes those it reads, without the loaders its query sets up at every
    execution.

    As with the ORM's query: the session's changes are flushed first (unless autoflush is
    off), and a row whose object the session holds gives that object, its expired or
    unloaded attributes filled from the row and the rest left as they are.
    """
    if session.autoflush:
        session.flush()
    return rows_as_loaded(
        session, model, session.connection().execute(statement, params).mappings()
    )


def rows_as_loaded(
    session: Session, model: type[_Row], rows: Iterable[Mapping[str, Any]]
) -> list[_Row]:
    """The objects of ``rows`` (every column of ``model``'s table, by key) read by the
    caller, as :func:`read_as_loaded` makes them."""
    mapper = loadable(model)
    keys = [column.key for column in mapper.primary_key]
    objects: list[_Row | None] = []
    new: list[Mapping[str, Any]] = []
    for row in rows:
        held = session.identity_map.get(
            mapper.identity_key_from_primary_key([row[k] for k in keys])
        )
        objects.append(held)
        if held is None:
            new.append(row)
        else:
            for name in inspect(held).unloaded & row.keys():
                set_committed_value(held, name, row[name])
    made = iter(as_loaded(session, model, new))
    return [held if held is not None else next(made) for held in objects]
