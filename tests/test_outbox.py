"""The outbox hands side effects to the queue only after the outermost commit."""

from __future__ import annotations

from flask import Flask
from redis import Redis

from returns_service import outbox
from returns_service.extensions import db
from returns_service.models import utcnow


def _queued(app: Flask) -> int:
    return Redis.from_url(app.config["REDIS_URL"]).llen("rq:queue:returns")


def test_a_savepoint_inside_the_transaction_enqueues_nothing_early(app: Flask) -> None:
    with app.app_context():
        session = db.session
        outbox.record(session, "restock", utcnow(), return_line_id=1)
        with session.begin_nested():
            outbox.record(session, "restock", utcnow(), return_line_id=2)
        assert _queued(app) == 0
        session.commit()
        assert _queued(app) == 2


def test_a_rolled_back_savepoint_keeps_the_outer_transactions_messages(app: Flask) -> None:
    with app.app_context():
        session = db.session
        outbox.record(session, "restock", utcnow(), return_line_id=1)
        savepoint = session.begin_nested()
        outbox.record(session, "restock", utcnow(), return_line_id=2)
        savepoint.rollback()
        session.commit()
        assert _queued(app) == 2  # the undone row's job finds no row and does nothing


def test_a_rolled_back_transaction_enqueues_nothing(app: Flask) -> None:
    with app.app_context():
        session = db.session
        outbox.record(session, "restock", utcnow(), return_line_id=1)
        session.rollback()
        session.commit()
        assert _queued(app) == 0


def test_recording_an_unknown_job_fails_in_the_transaction(app: Flask) -> None:
    import pytest

    with app.app_context(), pytest.raises(LookupError, match="no job handler named 'nope'"):
        outbox.record(db.session, "nope", utcnow())
