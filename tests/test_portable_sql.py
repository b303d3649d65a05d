"""SQL that reads the same on PostgreSQL and SQLite gives the same rows on both."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, literal, select

from returns_service.portable_sql import among, earlier_of

_METADATA = MetaData()
#: Temporary: the suite's database keeps no table the models do not describe.
_NUMBERS = Table(
    "numbers",
    _METADATA,
    Column("id", Integer, primary_key=True),
    Column("n", Integer),
    prefixes=["TEMPORARY"],
)


@pytest.mark.parametrize("where", ["postgresql", "sqlite"])
def test_among_keeps_the_rows_whose_value_a_subquery_selects(where: str, database_url: str) -> None:
    engine = create_engine(database_url if where == "postgresql" else "sqlite://")
    with engine.begin() as connection:
        _METADATA.create_all(connection)
        connection.execute(insert(_NUMBERS), [{"id": i, "n": i * 10} for i in range(1, 6)])
        small = select(_NUMBERS.c.id).where(_NUMBERS.c.n < 30).scalar_subquery()
        found = connection.scalars(
            select(_NUMBERS.c.n).where(among(_NUMBERS.c.id, small)).order_by(_NUMBERS.c.n)
        ).all()
        nothing = select(_NUMBERS.c.id).where(_NUMBERS.c.n > 99).scalar_subquery()
        none = connection.scalars(select(_NUMBERS.c.n).where(among(_NUMBERS.c.id, nothing)))
        assert (found, none.all()) == ([10, 20], [])
    engine.dispose()


@pytest.mark.parametrize("where", ["postgresql", "sqlite"])
def test_earlier_of_skips_a_null_on_both(where: str, database_url: str) -> None:
    engine = create_engine(database_url if where == "postgresql" else "sqlite://")
    pairs = [(1, 2), (2, 1), (None, 3), (4, None), (None, None)]
    with engine.connect() as connection:
        found = [
            connection.scalar(select(earlier_of(literal(a, Integer()), literal(b, Integer()))))
            for a, b in pairs
        ]
    engine.dispose()
    assert found == [1, 1, 3, 4, None]
