"""Changed rows of chosen models written by a plain ``UPDATE`` each at flush, outside the
unit of work.

A use case that moves a case writes a few of its columns (its state, when it was decided,
its rank). The unit of work's flush of that one object cost several times its statement:
it sorts the flush and runs the bookkeeping of each of the model's relationships. A
``before_flush`` listener, after every other one (:mod:`~returns_service.plain_writes`),
writes each changed object of the models of :func:`write_at_flush` whose changes are all
to its own columns with an ``UPDATE`` by its primary key, only the columns whose values
changed (and those worked out on update), and marks it written as the unit of work does
(so a savepoint rolled back, or a transaction, expires it); an object with a changed
relationship or key, or a value given as SQL, is left to the unit of work. The objects are
written in the order of their table and key, as the unit of work writes them, so that two
transactions take the rows' locks in one order.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ClauseElement, inspect
from sqlalchemy.orm import ColumnProperty, Mapper, Session
from sqlalchemy.orm.base import NO_VALUE
from sqlalchemy.orm.exc import StaleDataError

from returns_service import statement_text
from returns_service.models import Base

#: The models written here, with their own columns by attribute.
_MODELS: dict[type[Base], dict[str, Any]] = {}
#: The attributes of each model's primary key, which is never changed here.
_KEYS: dict[type[Base], frozenset[str]] = {}
#: The attributes of each model's columns worked out on update, with their function.
_ON_UPDATE: dict[type[Base], dict[str, Any]] = {}


def write_at_flush(model: type[Base]) -> None:
    """Have :func:`gather_updated` write changed objects of ``model``: refused (``TypeError``)
    for a model whose rows span more than its table, with a key of several columns, a
    version counter, a column worked out on update in SQL (the flush would read it back),
    or listeners of its updates (registered before this is called: the models are
    registered once all listeners are)."""
    mapper: Mapper[Any] = inspect(model)
    if (
        mapper.inherits is not None
        or len(mapper.primary_key) != 1
        or mapper.version_id_col is not None
        or mapper.dispatch.before_update
        or mapper.dispatch.after_update
    ):
        raise TypeError(f"{model.__name__}: its updates need the unit of work")
    columns = {
        prop.key: prop.columns[0]
        for prop in mapper.column_attrs
        if isinstance(prop, ColumnProperty) and len(prop.columns) == 1
    }
    on_update = {key: c.onupdate for key, c in columns.items() if c.onupdate is not None}
    if any(not default.is_callable for default in on_update.values()):
        raise TypeError(f"{model.__name__} works out a column on update in SQL")
    _MODELS[model] = columns
    _KEYS[model] = frozenset(mapper.get_property_by_column(c).key for c in mapper.primary_key)
    _ON_UPDATE[model] = {key: default.arg for key, default in on_update.items()}


def gather_updated(session: Session, writes: statement_text.Writes) -> list[tuple[Any, bool]]:
    """Add to ``writes`` an update of each changed object of the models of
    :func:`write_at_flush` whose changes are all to its own columns, in the order of their
    table and key; those objects, each with whether an update of it was added (none where
    no value really changed), for :func:`confirm_updated` once ``writes`` are sent."""
    if not _MODELS:
        return []
    changed = [
        (state.mapper.local_table.name, state.identity, state)
        for state in (inspect(instance) for instance in session.dirty)
        if state.class_ in _MODELS
    ]
    gathered = []
    for _, _, state in sorted(changed, key=lambda item: item[:2]):
        values = _changed_values(state)
        if values is None:
            continue  # the unit of work's
        if values:
            writes.update(state.mapper.local_table, state.identity[0], values)
        gathered.append((state, bool(values)))
    return gathered


def _changed_values(state: Any) -> dict[str, Any] | None:
    """The values to write of an object's columns that changed (and of those worked out on
    update, set on it too); None where the change is the unit of work's to write."""
    model = state.class_
    columns = _MODELS[model]
    before = state.committed_state
    if not before or any(
        key not in columns
        or key not in state.dict
        or key in _KEYS[model]
        or isinstance(state.dict[key], ClauseElement)
        for key in before
    ):
        return None
    values = {
        columns[key].key: state.dict[key]
        for key, value in before.items()
        if value is NO_VALUE or not columns[key].type.compare_values(value, state.dict[key])
    }
    if values:
        for key, work_out in _ON_UPDATE[model].items():
            if key not in before:
                state.dict[key] = values[columns[key].key] = work_out(None)
    return values


def confirm_updated(session: Session, gathered: list[tuple[Any, bool]], counts: list[int]) -> None:
    """Mark the objects of :func:`gather_updated` written, as the unit of work does (so a
    savepoint rolled back, or a transaction, expires them), given how many rows each update
    sent changed: an object whose row is gone is refused (``StaleDataError``), those before
    it still noted as written."""
    sent = iter(counts)
    written = []
    try:
        for state, updated in gathered:
            if updated and next(sent) != 1:
                name = state.class_.__name__
                raise StaleDataError(f"{name} {state.identity[0]} is no longer there")
            state._commit_all(state.dict, session.identity_map)
            written.append(state)
    finally:
        session._register_altered(written)
