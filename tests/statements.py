"""The statements the app's engine sends while a block runs, in the app context the test
is in (``bench.inprocess.counted_statements`` enters one of its own, whose end closes the
thread's session)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from returns_service.extensions import db


@contextmanager
def statements_sent() -> Iterator[list[str]]:
    """Each statement sent, its whitespace made single spaces."""
    sent: list[str] = []

    def note(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        sent.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
