"""The write paths' plain statements compiled once per shape and sent as their SQL text.

For each execution of a Core statement SQLAlchemy works out the statement's cache key,
processes each row's parameters through its compiled form and, for several rows, builds
the ``INSERT``'s batches: on the hot write paths that cost about as much again as the
statement's round trip. Here an ``INSERT`` of so many rows (or an ``UPDATE`` by key) is
compiled once per statement, number of rows and dialect, with its parameters named and
typed, and sent with ``Connection.exec_driver_sql``: the engine's events still see every
statement (a read-only session still refuses it, the connection still notes a write), and
the values go through the same type processing as SQLAlchemy's own execution.

On PostgreSQL, round trips are saved too: writes that need nothing back but a row count
are gathered and sent as the parts of one ``WITH`` (:class:`Writes`), and a new row goes
in with its lines in one statement (:func:`insert_with_children`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Dialect,
    Insert,
    Integer,
    Select,
    Table,
    Update,
    bindparam,
    column,
    func,
    literal_column,
    select,
    true,
    update,
    values,
)
from sqlalchemy.sql.selectable import CTE

#: Up to this many rows an insert is sent as text; more (a bulk import) go through
#: SQLAlchemy's own batching, so a rare long list does not add a compiled form per length.
#: So does one row that returns columns: SQLAlchemy reads the result of a statement it
#: compiled with what it knows of its columns already, where a text's result has them
#: worked out from the driver's description at each execution (measured: 263 against
#: 304 µs, where three rows took 406 against 353 µs and an insert returning nothing, now
#: one of :class:`Writes`, 318 against 224 µs).
MOST_ROWS = 16

_Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Text:
    """A statement's SQL for one dialect, what each of its parameters is made of, and the
    keys of the columns it returns with their processing."""

    sql: str
    positional: bool
    #: Each parameter's name, the row it takes its value from and the key it has there,
    #: and its type's processing (in the order a positional driver takes them).
    binds: tuple[tuple[str, int, str, _Processor], ...]
    returned: tuple[tuple[str, _Processor], ...]

    def parameters(self, rows: Sequence[Mapping[str, Any]]) -> Any:
        values = {
            name: process(rows[row][key]) if process else rows[row][key]
            for name, row, key, process in self.binds
        }
        return tuple(values.values()) if self.positional else values

    def returned_values(self, fetched: Sequence[Sequence[Any]]) -> list[list[tuple[str, Any]]]:
        """Each row's returned columns, by key and in order, through their processing (a
        statement may return two columns of one key)."""
        return [
            [
                (key, process(value) if process else value)
                for (key, process), value in zip(self.returned, row, strict=True)
            ]
            for row in fetched
        ]


_TEXTS: dict[tuple[Any, ...], _Text] = {}


def _compiled(
    statement: Insert | Update,
    dialect: Dialect,
    sources: Callable[[str], tuple[int, str]],
    returned: Sequence[Column[Any]] = (),
) -> _Text:
    compiled = statement.compile(dialect=dialect)
    by_name = {name: bind for bind, name in compiled.bind_names.items()}
    order = compiled.positiontup if compiled.positional else list(by_name)
    binds = tuple(
        (name, *sources(name), by_name[name].type.dialect_impl(dialect).bind_processor(dialect))
        for name in order or ()
    )
    processed = tuple(
        (column.key, column.type.dialect_impl(dialect).result_processor(dialect, None))
        for column in returned
    )
    return _Text(compiled.string, bool(compiled.positional), binds, processed)


class Unsent(NamedTuple):
    """The columns an insert does not give: those the database works out (returned), those
    with a default made in Python (sent, made at each insert) and the rest (null)."""

    returned: tuple[Column[Any], ...]
    defaults: dict[str, Callable[[], Any]]
    nulls: tuple[str, ...]

    def made(self) -> dict[str, Any]:
        """The defaults' values for one row."""
        return {key: made() for key, made in self.defaults.items()}

    def known(self, sent: Mapping[str, Any], returned: Mapping[str, Any]) -> dict[str, Any]:
        """What the row holds of the columns not given: only the database's own values
        are read back, the others are those sent or null."""
        return {
            **{key: sent[key] for key in self.defaults},
            **dict.fromkeys(self.nulls),
            **returned,
        }


_UNSENT: dict[tuple[Table, tuple[str, ...]], Unsent] = {}


def unsent_columns(table: Table, keys: tuple[str, ...]) -> Unsent:
    """The columns of ``table`` not among ``keys``, by what gives their values (built once
    per table and keys).

    Only the database's own (the key it numbers, a server default, a default in SQL) are
    returned: every other column returned cost its reading and processing on each insert.
    """
    unsent = _UNSENT.get((table, keys))
    if unsent is None:
        defaults = _python_defaults(table, keys, "default")
        left = [c for c in table.columns if c.key not in keys and c.key not in defaults]
        returned = tuple(c for c in left if _made_by_database(table, c))
        nulls = tuple(c.key for c in left if c not in returned)
        unsent = _UNSENT[(table, keys)] = Unsent(returned, defaults, nulls)
    return unsent


def _made_by_database(table: Table, column: Column[Any]) -> bool:
    # A default still set here is SQL (those made in Python are sent).
    return (
        column is table.autoincrement_column
        or column.server_default is not None
        or column.default is not None
    )


def insert(
    connection: Connection,
    statement: Insert,
    keys: tuple[str, ...],
    rows: Sequence[Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """Insert ``rows`` (each giving ``keys``) by ``statement`` (an ``INSERT`` of a table,
    without values) in one statement; the columns not given (ids, defaults), by key, for
    each row in their order. (Rows that need nothing back go with :class:`Writes`.)

    Several rows are put back in their order by the table's key, which the database gives
    them in the order they were sent (as SQLAlchemy does for an ``INSERT`` of many rows).
    """
    if not rows:
        return []
    dialect = connection.dialect
    unsent = unsent_columns(statement.table, keys)
    if unsent.defaults:
        rows = [{**row, **unsent.made()} for row in rows]
    sent_keys = (*keys, *unsent.defaults)
    if not unsent.returned:  # the database works nothing out: nothing to read back
        result = connection.execute(statement, list(rows))
        if len(rows) == 1 and result.rowcount == 0:  # skipped, its key taken
            return []
        return [unsent.known(row, {}) for row in rows]
    key = _generated_key(statement.table, keys)
    if len(rows) > MOST_ROWS or len(rows) == 1 or key is None:
        result = connection.execute(_sqlalchemys(statement, sent_keys, unsent.returned), list(rows))
        returned = [row._asdict() for row in result]
    else:
        cache_key = (statement, keys, len(rows), dialect.name)
        text = _TEXTS.get(cache_key)
        if text is None:
            many = statement.values(
                [_bound(statement.table, sent_keys, n) for n in range(len(rows))]
            )
            returning = many.returning(*unsent.returned)
            text = _compiled(returning, dialect, _row_and_key, unsent.returned)
            _TEXTS[cache_key] = text
        result = connection.exec_driver_sql(text.sql, text.parameters(rows))
        fetched = [dict(values) for values in text.returned_values(result.fetchall())]
        returned = sorted(fetched, key=lambda row: row[key])
    if not returned:  # an insert that skips a row whose key is taken skipped it
        return []
    return [unsent.known(row, got) for row, got in zip(rows, returned, strict=True)]


def takes_children(dialect: Dialect, child: Table, keys: tuple[str, ...], count: int) -> bool:
    """Whether :func:`insert_with_children` sends ``count`` children of ``child`` giving
    ``keys`` with their parent: on PostgreSQL, 1 to :data:`MOST_ROWS` of them, their table's
    key given by the database (the children are matched to their rows by it)."""
    return (
        dialect.name == "postgresql"
        and 0 < count <= MOST_ROWS
        and _generated_key(child, keys) is not None
    )


def insert_with_children(
    connection: Connection,
    parent: Insert,
    row: Mapping[str, Any],
    child: Insert,
    link: str,
    children: Sequence[Mapping[str, Any]],
) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """Insert ``row`` by ``parent`` (an ``INSERT`` of a table, perhaps one that skips a row
    whose key is taken) and ``children`` (each giving the same keys, all but ``link``) by
    ``child``, each child's ``link`` set to the parent's new id, in one statement
    (PostgreSQL's). The values of the columns not given, of the parent and of each child
    (by key, the children in the order given; see :func:`unsent_columns`); None, with nothing
    written, where the parent's key was taken.

    The children are selected in the order given, so their ids follow it.
    """
    parent_keys, child_keys = tuple(row), tuple(children[0])
    if any(tuple(values) != child_keys for values in children[1:]) or not takes_children(
        connection.dialect, child.table, child_keys, len(children)
    ):
        raise ValueError(f"{child.table.name}: these rows do not go with their parent's insert")
    parent_unsent = unsent_columns(parent.table, parent_keys)
    child_unsent = unsent_columns(child.table, (*child_keys, link))
    text = _with_children(
        parent, parent_keys, child, link, child_keys, len(children), connection.dialect
    )
    rows = [
        {**row, **parent_unsent.made()},
        *({**values, **child_unsent.made()} for values in children),
    ]
    fetched = connection.exec_driver_sql(text.sql, text.parameters(rows)).fetchall()
    if not fetched:
        return None
    split = len(parent_unsent.returned)
    processed = text.returned_values(fetched)
    parent_values = parent_unsent.known(rows[0], dict(processed[0][:split]))
    [parent_key] = parent.table.primary_key.columns
    linked = {link: (rows[0] | parent_values)[parent_key.key]}
    return parent_values, [
        child_unsent.known(sent, dict(values[split:]) | linked)
        for sent, values in zip(rows[1:], processed, strict=True)
    ]


@lru_cache(maxsize=64)
def _with_children(
    parent: Insert,
    parent_keys: tuple[str, ...],
    child: Insert,
    link: str,
    child_keys: tuple[str, ...],
    count: int,
    dialect: Dialect,
) -> _Text:
    """The statement of :func:`insert_with_children`: the parent inserted in a ``WITH``
    part, the children selected from a ``VALUES`` list with the parent's new id, what the
    database worked out of the parent and of each child returned as one row per child.
    Its parameters are named by their row (the parent's is row 0); the columns come back
    named ``p_<key>`` and ``c_<key>``, though read by place."""
    parent_unsent = unsent_columns(parent.table, parent_keys)
    child_unsent = unsent_columns(child.table, (*child_keys, link))
    parent_returned, child_returned = parent_unsent.returned, child_unsent.returned
    parent_keys = (*parent_keys, *parent_unsent.defaults)
    child_keys = (*child_keys, *child_unsent.defaults)
    [parent_key] = parent.table.primary_key.columns
    [child_key] = child.table.primary_key.columns
    inserted = parent.values(_bound(parent.table, parent_keys, 0)).returning(
        *dict.fromkeys((parent_key, *parent_returned))
    )
    new = inserted.cte("parent")
    listed = values(
        column("place", Integer),
        *(column(key, child.table.c[key].type) for key in child_keys),
        name="listed",
    ).data(
        [
            (literal_column(str(n)), *_bound(child.table, child_keys, n + 1).values())
            for n in range(count)
        ]
    )
    chosen = (
        select(new.c[parent_key.key], *(listed.c[key] for key in child_keys))
        .select_from(new)
        .join(listed, true())
        .order_by(listed.c.place)
    )
    added = (
        child.from_select([link, *child_keys], chosen)
        .returning(*dict.fromkeys((child_key, *child_returned)))
        .cte("children")
    )
    both = (
        select(
            *(new.c[c.key].label(f"p_{c.key}") for c in parent_returned),
            *(added.c[c.key].label(f"c_{c.key}") for c in child_returned),
        )
        .select_from(new)
        .join(added, true())
        .order_by(added.c[child_key.key])
    )
    returned = [*parent_returned, *child_returned]
    return _compiled(both, dialect, _row_and_key, returned)


def _generated_key(table: Table, keys: tuple[str, ...]) -> str | None:
    """The key of the table's integer primary key where the database gives it (not among
    ``keys``): it follows the order rows were sent in, which several rows returned are put
    back in. None for a table keyed otherwise, or rows given their keys."""
    column = table.autoincrement_column
    return None if column is None or column.key in keys else column.key


_STATEMENTS: dict[tuple[Insert, tuple[str, ...]], Insert] = {}


def _sqlalchemys(
    statement: Insert, keys: tuple[str, ...], returned: tuple[Column[Any], ...]
) -> Insert:
    """The statement as SQLAlchemy runs it, built once: a statement object keeps its cache
    key once worked out, a new one has it worked out again."""
    built = _STATEMENTS.get((statement, keys))
    if built is None:
        built = statement.returning(*returned, sort_by_parameter_order=True)
        _STATEMENTS[(statement, keys)] = built
    return built


_DEFAULTS: dict[tuple[Table, tuple[str, ...], str], dict[str, Callable[[], Any]]] = {}


def _python_defaults(
    table: Table, keys: tuple[str, ...], kind: str
) -> dict[str, Callable[[], Any]]:
    """The columns not given that have a ``default`` (or an ``onupdate``) worked out in
    Python, each with what works it out: SQLAlchemy sends them as parameters, their values
    made at each statement."""
    defaults = _DEFAULTS.get((table, keys, kind))
    if defaults is None:
        defaults = _DEFAULTS[(table, keys, kind)] = {
            column.key: _made(default)
            for column in table.columns
            if column.key not in keys
            and (default := getattr(column, kind)) is not None
            and (default.is_scalar or default.is_callable)
        }
    return defaults


def _made(default: Any) -> Callable[[], Any]:
    if default.is_scalar:
        return lambda: default.arg
    return lambda: default.arg(None)  # SQLAlchemy's wrapper of a default taking no context


def _row_and_key(name: str) -> tuple[int, str]:
    row, key = name.split("_", 1)
    return int(row[1:]), key


class _Part(NamedTuple):
    """One write of :class:`Writes`: an insert of ``count`` rows by ``target`` (an
    ``INSERT``), or, ``count`` being None, an update of one row of ``target`` (a table) by
    its key; ``keys``: the columns each row gives."""

    target: Any
    keys: tuple[str, ...]
    count: int | None


@dataclass
class Writes:
    """Updates by key and inserts that return nothing, gathered and then sent together.

    On PostgreSQL they go as one statement, each a part of its ``WITH`` (a flush's state
    changes, events and messages cost one round trip, not one each); each update there
    waits for the one before it, so rows are still locked in the order they were given.
    Elsewhere, and where the rows of one table come in several inserts (whose ids must
    follow the order given) or in a bulk import's, each is sent alone, in the order given.
    Nothing is sent after an update whose row is gone: the caller fails, and its
    transaction must be rolled back (on PostgreSQL the inserts of the one statement are
    written and then rolled back with it).
    """

    _parts: list[_Part] = field(default_factory=list)
    _rows: list[Mapping[str, Any]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self._parts)

    def insert(
        self, statement: Insert, keys: tuple[str, ...], rows: Sequence[Mapping[str, Any]]
    ) -> Writes:
        """Add an insert of ``rows`` (each giving ``keys``) by ``statement`` (an ``INSERT``
        of a table, without values)."""
        if len(rows) <= MOST_ROWS:  # a bulk import's are left to SQLAlchemy's batches
            defaults = _python_defaults(statement.table, keys, "default")
            if defaults:
                rows = [{**row, **{k: made() for k, made in defaults.items()}} for row in rows]
            keys = (*keys, *defaults)
        if rows:
            self._parts.append(_Part(statement, keys, len(rows)))
            self._rows.extend(rows)
        return self

    def update(self, table: Table, key: Any, values: Mapping[str, Any]) -> Writes:
        """Add an update of ``values`` (by column key) on the row whose primary key is
        ``key``; :meth:`send` gives how many rows it changed."""
        if worked_out := _python_defaults(table, tuple(values), "onupdate"):
            values = {**values, **{k: work_out() for k, work_out in worked_out.items()}}
        self._parts.append(_Part(table, tuple(values), None))
        self._rows.append({**values, "_primary_key": key})
        return self

    def send(self, connection: Connection) -> list[int]:
        """Send what was gathered; how many rows each update changed, in their order (0
        for those not sent after a row found gone)."""
        dialect = connection.dialect
        if dialect.name == "postgresql" and self._in_one_statement():
            text = _together(tuple(self._parts), dialect)
            sent = connection.exec_driver_sql(text.sql, text.parameters(self._rows))
            if all(part.count is not None for part in self._parts):
                return []  # inserts alone: nothing comes back
            counts = sent.one()
            return [n for n, part in zip(counts, self._parts, strict=True) if part.count is None]
        updated: list[int] = []
        first = 0
        for part in self._parts:
            last = first + (part.count or 1)
            rows, first = self._rows[first:last], last
            if 0 in updated:  # a row was gone: nothing more is sent
                updated += [0] if part.count is None else []
            elif part.count is not None and part.count > MOST_ROWS:
                connection.execute(part.target, rows)
            else:
                text = _together((part,), dialect)
                sent = connection.exec_driver_sql(text.sql, text.parameters(rows))
                updated += [sent.rowcount] if part.count is None else []
        return updated

    def _in_one_statement(self) -> bool:
        """Whether the parts may go as one statement: several, none a bulk import's, and
        no two inserts into one table."""
        inserted = [part.target.table for part in self._parts if part.count is not None]
        return (
            len(self._parts) > 1
            and all((part.count or 1) <= MOST_ROWS for part in self._parts)
            and len(set(inserted)) == len(inserted)
        )


@lru_cache(maxsize=512)
def _together(parts: tuple[_Part, ...], dialect: Dialect) -> _Text:
    """The statement of :class:`Writes`'s parts for ``dialect``, its parameters named
    ``r<row>_<key>`` by their row's place among those of all the parts: one part alone as
    itself, several as the parts of a ``WITH`` (PostgreSQL's)."""
    statements: list[Insert | Update] = []
    row = 0
    for target, keys, count in parts:
        if count is None:  # an update of one row by its key
            [primary_key] = target.primary_key.columns
            where = primary_key == bindparam(f"r{row}__primary_key", type_=primary_key.type)
            statements.append(update(target).where(where).values(_bound(target, keys, row)))
            row += 1
        else:
            rows = [_bound(target.table, keys, row + n) for n in range(count)]
            statements.append(target.values(rows))
            row += count
    if len(statements) == 1:
        return _compiled(statements[0], dialect, _row_and_key)
    return _compiled(_with(statements), dialect, _row_and_key)


def _bound(table: Table, keys: tuple[str, ...], row: int) -> dict[str, ColumnElement[Any]]:
    return {key: bindparam(f"r{row}_{key}", type_=table.c[key].type) for key in keys}


def _with(statements: list[Insert | Update]) -> Select[Any] | Insert:
    """The statements as the parts of one ``WITH``, selecting for each how many rows it
    changed (an insert's: 1); each update waits for the one before it (it reads that one's
    rows), so the rows' locks are taken in the order given. Inserts alone need no count:
    the last is the statement the others are the parts of, and nothing comes back (whose
    reading cost a tenth of a filing's flush)."""
    if not any(isinstance(statement, Update) for statement in statements):
        *others, last = statements
        return last.add_cte(*(other.cte(f"w{n}") for n, other in enumerate(others)))
    parts: list[CTE] = []
    counts: list[ColumnElement[Any]] = []
    before: CTE | None = None
    for n, statement in enumerate(statements):
        if isinstance(statement, Update):
            [primary_key] = statement.table.primary_key.columns
            if before is not None:
                statement = statement.where(
                    select(literal_column("1")).select_from(before).exists()
                )
            part = before = statement.returning(primary_key).cte(f"w{n}")
            counts.append(select(func.count()).select_from(part).scalar_subquery())
        else:
            part = statement.cte(f"w{n}")
            counts.append(literal_column("1"))
        parts.append(part)
    return select(*counts).add_cte(*parts)
