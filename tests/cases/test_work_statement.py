"""The work list's statement carries the states and kinds in its text, so that PostgreSQL
can plan it once for every page; what it writes in stays a literal."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.cases.read_model import CaseKind
from returns_service.cases.work_filter import WorkFilter, shape_of
from returns_service.cases.work_statement import page_statement
from returns_service.extensions import db
from returns_service.portable_sql import constant

#: What a page's statement may still send as parameters: the aging cutoff, and what
#: counts as a first answer (shared with the numbers page, and only in the page's rows'
#: subqueries).
PAGE_PARAMETERS = {
    "cutoff",
    "actor_1",
    "actor_2",
    "actor_3",
    "kind_1",
}


@pytest.mark.parametrize(
    ("flt", "open_state"),
    [
        (WorkFilter(), "review"),
        (WorkFilter(kinds=frozenset({CaseKind.EXCHANGE})), "review"),
        (WorkFilter(kinds=frozenset({CaseKind.SUBSCRIPTION_CANCELLATION})), "offered"),
    ],
    ids=["open cases", "exchanges", "subscription cancellations"],
)
def test_the_open_list_sends_no_state_or_kind_as_a_parameter(
    app: Flask, flt: WorkFilter, open_state: str
) -> None:
    statement = page_statement(shape_of(flt), 0, 50)
    with app.app_context():
        compiled = statement.compile(dialect=db.engine.dialect)
    assert set(compiled.params) <= PAGE_PARAMETERS, set(compiled.params) - PAGE_PARAMETERS
    assert f"'{open_state}'" in str(compiled)  # an open state, written in
    assert "LIMIT 51 OFFSET 0" in str(compiled)  # the page's place, written in


@pytest.mark.parametrize("value", ["O'Brien", "'); DROP TABLE orders; --", "50%_off", "日本語"])
def test_a_value_written_in_reads_back_as_itself(session: Session, value: str) -> None:
    assert session.scalar(select(constant(value))) == value


def test_a_backslash_is_never_written_in() -> None:
    with pytest.raises(ValueError, match="backslash"):
        constant("a\\b")
