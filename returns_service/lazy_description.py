"""A psycopg cursor that describes its result's columns only when asked for the columns.

psycopg builds ``cursor.description`` afresh at every access: a ``Column`` per column,
each looking its type up (about 50 µs for the portal's 59 columns). SQLAlchemy asks for it
after every statement but, for a statement it has seen before, only checks that there is
one: it reads rows by the result metadata it kept. This cursor hands out a sequence that
knows its length and builds psycopg's own columns on first use of one of them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

import psycopg
from psycopg import Column
from psycopg.pq.abc import PGresult


class LazyDescription(Sequence[Column]):
    """The columns of one result, built by psycopg when first read."""

    __slots__ = ("_cursor", "_result", "_columns", "_count")

    def __init__(self, cursor: psycopg.Cursor[Any], result: PGresult, count: int) -> None:
        self._cursor = cursor
        self._result = result
        self._count = count
        self._columns: list[Column] | None = None

    def _built(self) -> list[Column]:
        if self._columns is None:
            if self._cursor.pgresult is not self._result:
                raise RuntimeError("the cursor has run another statement since")
            self._columns = psycopg.Cursor.description.fget(self._cursor) or []  # type: ignore[attr-defined]
        return self._columns

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> Column: ...
    @overload
    def __getitem__(self, index: slice) -> list[Column]: ...
    def __getitem__(self, index: int | slice) -> Column | list[Column]:
        return self._built()[index]

    def __iter__(self) -> Iterator[Column]:
        return iter(self._built())


class LazyDescriptionCursor(psycopg.Cursor[Any]):
    """psycopg's client cursor, its ``description`` built on first use (see the module)."""

    @property
    def description(self) -> Sequence[Column] | None:  # type: ignore[override]
        result = self.pgresult
        if result is None or not result.nfields:
            return super().description  # None, or a statement that returns no columns
        return LazyDescription(self, result, result.nfields)
