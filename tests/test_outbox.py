"""The outbox hands side effects to the queue only after the outermost commit."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from flask import Flask
from pytest_httpserver import HTTPServer
from redis import Redis
from rq.job import Job
from rq.timeouts import JobTimeoutException, UnixSignalDeathPenalty
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug import Request, Response

from returns_service import outbox
from returns_service.extensions import db, jobs
from returns_service.models import utcnow
from returns_service.notifications.webhooks import queue_webhook
from returns_service.outbox import OutboxMessage
from returns_service.worker import (
    _record_failure,
    held_while_running,
    run_message,
    run_messages,
)
from tests.notifications.outbound import add_endpoint


def _queued(app: Flask) -> int:
    return Redis.from_url(app.config["REDIS_URL"]).llen("rq:queue:returns")


def _restocks(*lines: int | None) -> list[str]:
    """Restock messages recorded in the app context's transaction, their ids; ``None``: one
    without its payload, which fails when run."""
    return [
        outbox.record(
            db.session, "restock", utcnow(), **({} if line is None else {"return_line_id": line})
        ).id
        for line in lines
    ]


def _batch_taken(app: Flask, message_id: str, rq_status: str) -> None:
    """The batch job of this message taken from the queue, now in ``rq_status``."""
    Redis.from_url(app.config["REDIS_URL"]).delete("rq:queue:returns")
    job = Job.fetch(outbox.batch_job_id(message_id), connection=jobs.redis)
    job.set_status(rq_status)
    job.save()


def _waiting(app: Flask) -> dict[str, list[str]]:
    """The message ids each job waiting in the queue will run, by job id."""
    redis = Redis.from_url(app.config["REDIS_URL"])
    job_ids = [raw.decode() for raw in redis.lrange("rq:queue:returns", 0, -1)]
    return {job.id: list(job.args) for job in Job.fetch_many(job_ids, connection=redis)}


def test_a_savepoint_inside_the_transaction_enqueues_nothing_early(app: Flask) -> None:
    with app.app_context():
        session = db.session
        first = outbox.record(session, "restock", utcnow(), return_line_id=1).id
        with session.begin_nested():
            second = outbox.record(session, "restock", utcnow(), return_line_id=2).id
        assert _queued(app) == 0
        session.commit()
        assert _waiting(app) == {outbox.batch_job_id(first): [first, second]}


def test_a_rolled_back_savepoint_keeps_the_outer_transactions_messages(app: Flask) -> None:
    with app.app_context():
        session = db.session
        outbox.record(session, "restock", utcnow(), return_line_id=1)
        savepoint = session.begin_nested()
        outbox.record(session, "restock", utcnow(), return_line_id=2)
        savepoint.rollback()
        session.commit()
        # The undone row's turn finds no row and does nothing.
        assert [len(ids) for ids in _waiting(app).values()] == [2]


def test_a_transactions_messages_go_to_rq_in_batches_named_by_their_ids(app: Flask) -> None:
    with app.app_context():
        ids = _restocks(*range(outbox.BATCH_SIZE + 3))
        db.session.commit()
        [later] = _restocks(99)
        db.session.commit()

    waiting = _waiting(app)
    assert list(waiting.values()) == [ids[: outbox.BATCH_SIZE], ids[outbox.BATCH_SIZE :], [later]]
    assert {outbox.batch_job_id(i) for i in ids} == set(list(waiting)[:2])
    assert outbox.batch_job_id(later) == list(waiting)[2]  # the next transaction, its own
    assert outbox.batch_job_id(ids[0]) != outbox.batch_job_id(later)
    assert outbox.batch_job_id("c0ffee" * 5 + "ab") is None  # an id from before batches


def test_a_batch_runs_each_message_in_a_transaction_of_its_own(
    app: Flask, session: Session
) -> None:
    with app.app_context():
        broken, fine = _restocks(None, 1)
        db.session.commit()
        assert run_messages(broken, fine) == ["retry", "succeeded"]

    session.expire_all()
    assert session.get(OutboxMessage, broken).status is outbox.MessageStatus.PENDING
    assert session.get(OutboxMessage, broken).attempts == 1
    assert session.get(OutboxMessage, fine).status is outbox.MessageStatus.SUCCEEDED


def test_the_relay_notes_a_waiting_batch_and_hands_over_what_it_left(app: Flask) -> None:
    with app.app_context():
        first, second = _restocks(1, 2)
        db.session.commit()
        assert outbox.relay(db.session, utcnow()) == 0  # both wait in their batch's job
        assert len(_waiting(app)) == 1

        # The batch's worker ran the first and stopped (the database went away).
        assert run_message(first) == "succeeded"
        _batch_taken(app, first, "finished")
        later = utcnow() + outbox.ORPHAN_AFTER + timedelta(seconds=1)
        assert outbox.relay(db.session, later) == 1
    assert _waiting(app) == {second: [second]}  # alone, under its own id


def test_a_batch_message_that_failed_is_handed_over_alone_when_due(
    app: Flask, session: Session
) -> None:
    with app.app_context():
        broken, _ = _restocks(None, 1)
        db.session.commit()
        _batch_taken(app, broken, "started")  # its batch's job is busy with the next message
        assert run_message(broken) == "retry"
        later = utcnow() + timedelta(hours=2)
        # Only the failed one is due and not held back by its batch's job: it ran once.
        assert outbox.relay(db.session, later) == 1
    assert _waiting(app) == {broken: [broken]}


def test_a_rolled_back_transaction_enqueues_nothing(app: Flask) -> None:
    with app.app_context():
        session = db.session
        outbox.record(session, "restock", utcnow(), return_line_id=1)
        session.rollback()
        session.commit()
        assert _queued(app) == 0


def test_a_commit_hands_over_and_the_relay_only_notes_it(app: Flask) -> None:
    with app.app_context():
        [message_id] = _restocks(1)
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


def _batch_started(app: Flask, count: int) -> list[str]:
    """``count`` restock rows committed together, their batch job taken by a worker (RQ
    marked it started) and noted by the relay a while ago."""
    with app.app_context():
        ids = _restocks(*range(count))
        db.session.commit()
        _batch_taken(app, ids[0], "started")
        assert outbox.relay(db.session, utcnow()) == 0  # notes the hand-over
    return ids


def test_the_relay_leaves_the_rows_a_running_batch_holds(app: Flask) -> None:
    ids = _batch_started(app, 3)
    later = utcnow() + outbox.ORPHAN_AFTER + timedelta(seconds=1)
    with app.app_context():
        with held_while_running(ids):
            # The first row runs (its claim is not held up); the rest wait their turn.
            assert run_message(ids[0]) == "succeeded"
            assert outbox.relay(db.session, later) == 0
        # The worker died without running them: its hold went with its connection.
        assert outbox.relay(db.session, later) == 2
    assert sorted(_waiting(app)) == sorted(ids[1:])


def test_a_held_row_that_fails_records_its_failure(app: Flask, session: Session) -> None:
    with app.app_context():
        broken, _ = _restocks(None, 1)
        db.session.commit()
    outcome: list[str] = []

    def run() -> None:
        with app.app_context(), held_while_running([broken, "other"]):
            outcome.append(run_message(broken))

    # Were the failure's own lock to wait for the hold, this would never end.
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=20)
    assert outcome == ["retry"]
    session.expire_all()
    assert session.get(OutboxMessage, broken).attempts == 1


def test_a_failure_recorded_after_another_delivery_ran_the_row_changes_nothing(
    app: Flask, session: Session
) -> None:
    with app.app_context():
        [message_id] = _restocks(1)
        db.session.commit()
        assert run_message(message_id) == "succeeded"
        _record_failure(message_id, RuntimeError("a slower delivery of the same row failed"))

    session.expire_all()
    message = session.get(OutboxMessage, message_id)
    assert (message.status, message.attempts, message.last_error) == (
        outbox.MessageStatus.SUCCEEDED,
        1,
        None,
    )


def _answer_late(request: Request) -> Response:
    time.sleep(3)
    return Response("ok")


def test_a_batch_whose_time_is_up_leaves_the_rest_pending(
    app: Flask, session: Session, httpserver: HTTPServer
) -> None:
    add_endpoint(session, httpserver.url_for("/slow"))
    httpserver.expect_request("/slow", method="POST").respond_with_handler(_answer_late)
    with app.app_context():
        ids = [
            message.id
            for rma in ("RMA-1", "RMA-2")
            for message in queue_webhook(db.session, utcnow(), "return.approved", {"rma": rma})
        ]
        db.session.commit()
        # What RQ does to a job past its time: an alarm raises inside the running code.
        with pytest.raises(JobTimeoutException), UnixSignalDeathPenalty(1, JobTimeoutException):
            run_messages(*ids)

    session.expire_all()
    assert len(ids) == 2
    for message_id in ids:
        message = session.get(OutboxMessage, message_id)
        assert (message.status, message.attempts) == (outbox.MessageStatus.PENDING, 0)


def test_a_failed_message_put_back_beside_new_ones_goes_to_rq_alone(
    app: Flask, session: Session
) -> None:
    with app.app_context():
        [failed] = _restocks(1)
        db.session.commit()
        Redis.from_url(app.config["REDIS_URL"]).delete("rq:queue:returns")
        session.get(OutboxMessage, failed).status = outbox.MessageStatus.FAILED
        session.commit()

        [new] = _restocks(2)
        outbox.retry_failed(db.session, failed, utcnow())
        db.session.commit()

    assert _waiting(app) == {outbox.batch_job_id(new): [new], failed: [failed]}


def test_a_batch_job_is_given_time_for_each_of_its_messages(app: Flask) -> None:
    with app.app_context():
        first, _ = _restocks(1, 2)
        db.session.commit()
        job = Job.fetch(outbox.batch_job_id(first), connection=jobs.redis)
    assert job.timeout == 2 * outbox.MESSAGE_SECONDS
