"""The statements the app's engine sends while a block runs, in the app context the test
is in (``bench.inprocess.counted_statements`` enters one of its own, whose end closes the
thread's session)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
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


@contextmanager
def before_the_first(prefix: str | tuple[str, ...], action: Callable[[], None]) -> Iterator[None]:
    """Run ``action`` once, just before the engine sends the first statement that starts
    with ``prefix`` (or one of them), its spaces and line breaks read as one space (what
    ``action`` sends itself goes through): another transaction's work slipped in at that
    moment, every time."""
    started: list[bool] = []

    def run_first(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        if started or not " ".join(statement.split()).startswith(prefix):
            return
        started.append(True)
        action()

    event.listen(db.engine, "before_cursor_execute", run_first)
    try:
        yield
    finally:
        event.remove(db.engine, "before_cursor_execute", run_first)
