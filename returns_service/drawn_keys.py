"""Keys of new rows drawn beforehand, as columns of a statement a use case sends anyway.

A filed return and its lines are written with the flush's other plain writes (see
:func:`~returns_service.plain_inserts.insert_at_flush`) when their keys are known before
they are written: no insert of their own that returns the keys, and the request written
once, in the state the use case leaves it in. Filing draws the keys from the tables'
sequences in the statement it sends after taking the order's lock; a refund, whose key
its lines and its job name at once, takes a key drawn with filing's or cancelling's (a
spare: see :func:`keep_spare_key`) or draws its own (:func:`draw_key`), a smaller
statement than its insert, which then goes with the flush's.

Each is an uncorrelated subquery, so PostgreSQL works it out once per statement, whatever
the number of rows the statement returns. A sequence never gives a value twice; a request
refused after its keys were drawn leaves a gap, as a rolled-back insert does.
PostgreSQL's only: elsewhere the rows' inserts return their keys.
"""

from __future__ import annotations

from sqlalchemy import (
    ARRAY,
    BindParameter,
    ColumnElement,
    Connection,
    Integer,
    ScalarSelect,
    Select,
    Table,
    func,
    select,
)
from sqlalchemy.orm import Session

from returns_service.models import kept_in_transaction


def _next_value(table: Table) -> ColumnElement[int]:
    [key] = table.primary_key.columns
    return func.nextval(func.pg_get_serial_sequence(table.name, key.name))


def drawn_key(table: Table) -> ScalarSelect[int]:
    """A column of one new key of ``table``."""
    return select(_next_value(table)).scalar_subquery()


def drawn_keys(table: Table, count: BindParameter[int]) -> ScalarSelect[tuple[int, ...]]:
    """A column of ``count`` new keys of ``table`` (read as a tuple, which a row read for
    unique objects can hold)."""
    drawn = func.generate_series(1, count).table_valued("n")
    keys = func.array_agg(_next_value(table), type_=ARRAY(Integer, as_tuple=True))
    return select(keys).select_from(drawn).scalar_subquery()


#: Per table, the statement that draws one new key, built once.
_DRAW: dict[Table, Select[tuple[int]]] = {}


def draw_key(connection: Connection, table: Table) -> int | None:
    """A new key of ``table``, drawn by a statement of its own; None but on PostgreSQL."""
    if connection.dialect.name != "postgresql":
        return None
    statement = _DRAW.get(table)
    if statement is None:
        statement = _DRAW[table] = select(_next_value(table))
    return int(connection.execute(statement).scalar_one())


def _spares(session: Session, table: Table) -> list[int]:
    return kept_in_transaction(session, f"spare keys of {table.name}")


def keep_spare_key(session: Session, table: Table, key: int) -> None:
    """Keep a key of ``table`` drawn with a statement the use case sent anyway, for a row
    it may insert later in this transaction (:func:`take_spare_key`): a filing that refunds
    at once then sends no statement for its refund's key. One not taken leaves a gap.

    A savepoint rolled back cuts the transaction's kept lists back to their length when it
    began, which assumes they only grow: a spare taken within it is not put back, and one
    kept within it after another was taken may stay. Either way no key is given twice.
    """
    _spares(session, table).append(key)


def take_spare_key(session: Session, table: Table) -> int | None:
    """A key of ``table`` kept by :func:`keep_spare_key` in this transaction, if one is
    left; each is given once."""
    spares = _spares(session, table)
    return spares.pop() if spares else None
