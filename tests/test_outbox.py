"""The outbox hands side effects to the queue only after the outermost commit."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from redis import Redis
from rq.job import Job
from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service import outbox
from returns_service.extensions import db, jobs
from returns_service.models import utcnow
from returns_service.outbox import OutboxMessage
from returns_service.worker import run_message


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


def test_a_commit_hands_over_and_the_relay_only_notes_it(app: Flask) -> None:
    with app.app_context():
        message_id = outbox.record(db.session, "restock", utcnow(), return_line_id=1).id
        db.session.commit()
        assert _queued(app) == 1
        assert db.session.get(OutboxMessage, message_id).enqueued_at is None  # not written

        assert outbox.relay(db.session, utcnow()) == 0  # its job waits in the queue
        assert _queued(app) == 1
        assert db.session.get(OutboxMessage, message_id).enqueued_at is not None


def test_the_relay_hands_over_a_row_never_handed_over(app: Flask) -> None:
    with app.app_context():
        outbox.record(db.session, "restock", utcnow(), return_line_id=1)
        db.session.info.pop("outbox_pending")  # as if the process died after its commit
        db.session.commit()
        assert _queued(app) == 0

        assert outbox.relay(db.session, utcnow()) == 1
        assert _queued(app) == 1


def test_recording_an_unknown_job_fails_in_the_transaction(app: Flask) -> None:
    import pytest

    with app.app_context(), pytest.raises(LookupError, match="no job handler named 'nope'"):
        outbox.record(db.session, "nope", utcnow())


# -- orphaned messages: a worker died or lost the database mid-job -----------------------


def _handed_over(app: Flask, seconds_ago: int, rq_status: str | None) -> str:
    """A pending restock message handed to RQ ``seconds_ago``, its RQ job in ``rq_status``."""
    with app.app_context():
        message = outbox.record(db.session, "restock", utcnow(), return_line_id=1)
        db.session.info.pop("outbox_pending")  # handed over by hand below
        message.enqueued_at = utcnow() - timedelta(seconds=seconds_ago)
        db.session.commit()
        if rq_status is not None:
            job = Job.create(run_message, args=(message.id,), id=message.id, connection=jobs.redis)
            job.set_status(rq_status)
            job.save()
        assert db.session.get(OutboxMessage, message.id) is not None
        return message.id


def test_the_relay_hands_over_again_a_started_job_nobody_holds(app: Flask) -> None:
    message_id = _handed_over(app, seconds_ago=20, rq_status="started")

    with app.app_context():
        assert outbox.relay(db.session, utcnow()) == 1
    assert _queued(app) == 1
    assert Redis.from_url(app.config["REDIS_URL"]).lindex("rq:queue:returns", 0) == (
        message_id.encode()
    )


def test_the_relay_leaves_a_job_whose_worker_holds_its_row(app: Flask) -> None:

    message_id = _handed_over(app, seconds_ago=20, rq_status="started")
    with app.app_context(), Session(db.engine) as worker:
        # A live worker's run_message holds this lock until it commits.
        worker.scalars(
            select(OutboxMessage).where(OutboxMessage.id == message_id).with_for_update()
        )
        assert outbox.relay(db.session, utcnow()) == 0
        worker.rollback()
        assert outbox.relay(db.session, utcnow()) == 1


def test_the_relay_leaves_a_job_waiting_in_the_queue_and_a_fresh_one(app: Flask) -> None:
    _handed_over(app, seconds_ago=20, rq_status="queued")
    _handed_over(app, seconds_ago=2, rq_status="started")

    with app.app_context():
        assert outbox.relay(db.session, utcnow()) == 0


def test_the_relay_hands_over_a_job_redis_lost(app: Flask) -> None:
    _handed_over(app, seconds_ago=20, rq_status=None)

    with app.app_context():
        assert outbox.relay(db.session, utcnow()) == 1
