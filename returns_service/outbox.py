"""Transactional outbox: side effects recorded in the same commit, relayed to RQ after it.

An operation calls :func:`record` in its transaction. When that transaction commits, its
new rows are handed to RQ as one job (up to :data:`BATCH_SIZE` rows a job), whose id the
rows' own ids name (see :func:`batch_job_id`); the committing request writes nothing more
to the database for it. The job runs each row in a transaction of its own. Rows that were
not enqueued (Redis was down, the process died between commit and enqueue) or whose job
vanished (a worker died mid-job) are swept up by :func:`relay`, which tells a row its
committer handed over (its RQ job is waiting or running) from one nobody did, and notes
the hand-over of both. The outbox row, not RQ, is the source of truth: a job reads its row
first, so a message delivered twice runs once.

A running job holds its row's lock (taken by the ``UPDATE`` that claims it) until it
commits, and PostgreSQL lets go of that lock the moment the worker's connection closes.
The lock is the job's sign of life (a batch also holds the rows waiting their turn, see
``worker.held_while_running``): a pending row handed to RQ that nobody holds, whose RQ job
is not waiting in the queue, belonged to a worker that died or lost the database, and the
relay hands it over again (checked with ``FOR UPDATE SKIP LOCKED``, so live jobs
are never touched).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from flask import has_app_context
from redis.exceptions import RedisError
from rq import Queue
from rq.job import Job, JobStatus
from sqlalchemy import String, Text, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from returns_service.extensions import db, jobs
from returns_service.models import Base, str_enum

log = logging.getLogger(__name__)

#: A row still waiting in RQ's queue this long after it was handed over is handed over again
#: (RQ lost it: Redis restarted without its data).
ENQUEUE_LEASE = timedelta(minutes=10)
#: A row handed over this long ago, unlocked and not waiting in the queue, is orphaned. A job
#: takes its lock within milliseconds of being picked up; this covers the time to pick it up.
ORPHAN_AFTER = timedelta(seconds=15)
#: RQ states in which the job will still run without our help.
_WAITING = frozenset({JobStatus.QUEUED, JobStatus.DEFERRED, JobStatus.SCHEDULED})
#: RQ states of a job handed over and not yet run: an unmarked row whose job is in one was
#: handed over by the transaction that committed it (a job that started and died leaves
#: its row to the orphan check once marked).
_HANDED_OVER = _WAITING | {JobStatus.STARTED}
_PENDING_KEY = "outbox_pending"
_BATCH_KEY = "outbox_batch"
#: At most this many rows of one transaction go to RQ as one job: RQ's own work per job is
#: shared by a transaction's side effects, and a long batch still fits in a job's time.
BATCH_SIZE = 16
#: RQ's time for a job, per message it runs (RQ's own default for a job of one).
MESSAGE_SECONDS = 180


class MessageStatus(StrEnum):
    """Where an outbox message stands."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class OutboxMessage(Base):
    """A side effect to run once after its transaction committed."""

    __tablename__ = "outbox_messages"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    job: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    status: Mapped[MessageStatus] = mapped_column(
        str_enum(MessageStatus), default=MessageStatus.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    #: Not before this time (backoff after a failed attempt).
    run_after: Mapped[datetime]
    enqueued_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


JobHandler = Callable[..., None]
_HANDLERS: dict[str, JobHandler] = {}
_RUNNER: Callable[..., object] | None = None


def register_job(name: str, handler: JobHandler) -> None:
    """Run ``handler`` for outbox messages named ``name`` (done once, in the app factory).

    It is called as ``handler(session, now, settings, **payload)`` with the shop's settings.
    """
    if _HANDLERS.get(name, handler) is not handler:
        raise ValueError(f"job {name!r} is registered twice")
    _HANDLERS[name] = handler


def handler_for(name: str) -> JobHandler:
    """The handler registered for a job name."""
    try:
        return _HANDLERS[name]
    except KeyError:
        raise LookupError(f"no job handler named {name!r}") from None


GiveUpHandler = Callable[..., None]
_GIVE_UP_HANDLERS: dict[str, GiveUpHandler] = {}


def register_give_up(name: str, handler: GiveUpHandler) -> None:
    """Run ``handler`` when a message named ``name`` fails for good (set by the factory).

    It is called as ``handler(session, now, error, **payload)`` in the transaction that
    marks the message failed, so the domain object the job acts on can show the failure.
    """
    if _GIVE_UP_HANDLERS.get(name, handler) is not handler:
        raise ValueError(f"give-up handler {name!r} is registered twice")
    _GIVE_UP_HANDLERS[name] = handler


def give_up_handler_for(name: str) -> GiveUpHandler | None:
    """The handler run when a job of this name fails for good, if one is registered."""
    return _GIVE_UP_HANDLERS.get(name)


def record(session: Session, job: str, now: datetime, **payload: Any) -> OutboxMessage:
    """Add a side effect to the caller's transaction; it is enqueued only once that commits."""
    handler_for(job)  # fail in the transaction, not in the worker, on a typo
    batch = session.info.setdefault(_BATCH_KEY, uuid.uuid4().hex[:24])
    pending = session.info.setdefault(_PENDING_KEY, [])
    message = OutboxMessage(
        id=f"{batch}-{len(pending)}",
        job=job,
        payload=payload,
        status=MessageStatus.PENDING,
        attempts=0,
        created_at=now,
        run_after=now,
    )
    session.add(message)
    pending.append(message.id)
    return message


def batch_job_id(message_id: str) -> str | None:
    """The id of the RQ job its transaction's commit handed this message to, if any.

    A message's id is its transaction's batch and its place in it (``<batch>-<n>``); the
    commit hands messages ``0`` to ``BATCH_SIZE - 1`` to job ``<batch>_0``, and so on, so
    the relay can tell from a row alone which job to look for. A job the relay hands over
    runs one message and has the message's own id.
    """
    batch, dash, place = message_id.rpartition("-")
    if not dash or not place.isdigit():
        return None
    return f"{batch}_{int(place) // BATCH_SIZE}"


def register_runner(runner: Callable[..., object]) -> None:
    """The function RQ calls with a job's message ids to run them (the worker's, set by the
    factory)."""
    global _RUNNER
    _RUNNER = runner


def _enqueue(batches: dict[str, list[str]]) -> list[str]:
    """Hand each batch of messages to RQ as one job named by its key, all in one round trip;
    returns the ids handed over (all or none). Redis errors are logged, not raised."""
    if _RUNNER is None:
        raise RuntimeError("no outbox runner is registered: build the app first")
    if not batches:
        return []
    queue = jobs.queue
    try:
        queue.enqueue_many(
            [
                Queue.prepare_data(
                    _RUNNER,
                    tuple(message_ids),
                    job_id=job_id,
                    timeout=MESSAGE_SECONDS * len(message_ids),
                    result_ttl=3600,
                    failure_ttl=7 * 24 * 3600,
                )
                for job_id, message_ids in batches.items()
            ]
        )
    except RedisError as exc:
        log.warning("could not enqueue outbox messages %s: %s (the relay will)", batches, exc)
        return []
    return [message_id for message_ids in batches.values() for message_id in message_ids]


def _each_alone(message_ids: Iterable[str]) -> dict[str, list[str]]:
    """One job per message, named by the message: how the relay hands messages over."""
    return {message_id: [message_id] for message_id in message_ids}


def _batched(message_ids: list[str], batch: str | None) -> dict[str, list[str]]:
    """A transaction's messages by the job its commit hands them to: its own new messages in
    batches (see :func:`batch_job_id`), older ones it put back in line each alone."""
    batches: dict[str, list[str]] = {}
    for message_id in dict.fromkeys(message_ids):
        job_id = batch_job_id(message_id)
        if batch is None or job_id is None or not job_id.startswith(batch + "_"):
            job_id = message_id
        batches.setdefault(job_id, []).append(message_id)
    return batches


def _mark_enqueued(message_ids: list[str], now: datetime) -> None:
    """Note the hand-over (the relay's): one statement on its own (autocommit)."""
    if not message_ids:
        return
    with db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(message_ids)).values(enqueued_at=now)
        )


def enqueue_after_commit(session: Session) -> None:
    """``after_commit`` hook: enqueue what the transaction recorded.

    The rows are not marked handed over here (a statement more for every request): the
    relay finds their jobs waiting in RQ and marks them. SQLAlchemy fires the hook for
    savepoints too; only the outermost commit counts.
    """
    if session.in_nested_transaction():
        return
    message_ids = session.info.pop(_PENDING_KEY, [])
    batch = session.info.pop(_BATCH_KEY, None)
    if not message_ids or not has_app_context():
        return
    _enqueue(_batched(message_ids, batch))


def forget_after_rollback(session: Session) -> None:
    """``after_rollback`` hook: nothing recorded in a rolled-back transaction is enqueued.

    A savepoint rolled back keeps the list: ids of rows it undid are skipped by the worker
    as missing, and the outer transaction's rows must still go out.
    """
    if session.in_nested_transaction():
        return
    session.info.pop(_PENDING_KEY, None)
    session.info.pop(_BATCH_KEY, None)


def relay(session: Session, now: datetime, limit: int = 500) -> int:
    """Enqueue due messages that are not with RQ, or whose worker died; returns how many."""
    due = (
        select(OutboxMessage.id, OutboxMessage.enqueued_at, OutboxMessage.attempts)
        .where(
            OutboxMessage.status == MessageStatus.PENDING,
            OutboxMessage.run_after <= now,
            or_(
                OutboxMessage.enqueued_at.is_(None),
                OutboxMessage.enqueued_at < now - ORPHAN_AFTER,
            ),
        )
        # Never marked handed over first: a long queue of marked rows must not hold them back.
        .order_by(OutboxMessage.enqueued_at.asc().nulls_first(), OutboxMessage.created_at)
        .limit(limit)
        # A locked row is being run by a live worker: leave it alone.
        .with_for_update(skip_locked=True)
    )
    rows = session.execute(due).all()
    session.rollback()  # end the read transaction before talking to Redis
    if not rows:
        return 0
    try:
        statuses = _job_statuses(rows)
    except RedisError as exc:
        log.warning("could not read the outbox's jobs from RQ: %s (next round)", exc)
        return 0
    handed_over, message_ids = [], []
    for (message_id, enqueued_at, _), status in zip(rows, statuses, strict=True):
        if enqueued_at is None and status in _HANDED_OVER:
            handed_over.append(message_id)  # by the transaction that committed it
        elif enqueued_at is None or _orphaned(status, enqueued_at, now):
            message_ids.append(message_id)
    enqueued = _enqueue(_each_alone(message_ids))
    _mark_enqueued([*handed_over, *enqueued], now)
    return len(enqueued)


def _job_statuses(rows: list[Any]) -> list[JobStatus | None]:
    """The RQ status of each row's job, in one round trip: the job the relay handed it to if
    there is one, else its commit's batch job while the row has not run (a row that ran and
    failed is done with that job), else None."""
    own_ids = [message_id for message_id, _, _ in rows]
    batch_ids = [
        (batch_job_id(message_id) if attempts == 0 else None) or message_id
        for message_id, _, attempts in rows
    ]
    found = Job.fetch_many([*own_ids, *batch_ids], connection=jobs.redis)
    return [
        job.get_status(refresh=False) if job is not None else None
        for job in (
            own or batch for own, batch in zip(found[: len(rows)], found[len(rows) :], strict=True)
        )
    ]


def _orphaned(status: JobStatus | None, enqueued_at: datetime, now: datetime) -> bool:
    """Whether an unlocked row handed to RQ will not run unless handed over again, its RQ
    job in ``status`` (None: expired or lost with Redis's data)."""
    if status is None:
        return True
    if status in _WAITING:
        return enqueued_at < now - ENQUEUE_LEASE
    # Started by a worker that no longer holds the lock (killed, or cut from the database),
    # or ended without finishing the row (the database was unreachable).
    return True


def failed_jobs(session: Session, limit: int) -> list[OutboxMessage]:
    """The messages that used up their retries, newest first, at most ``limit``."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == MessageStatus.FAILED)
        .order_by(OutboxMessage.finished_at.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def failed_messages(session: Session, jobs: Iterable[str], **payload: Any) -> list[OutboxMessage]:
    """The failed messages of these jobs whose payload holds these values, locked, oldest first.

    How a domain finds the side effects of one of its objects that gave up (few rows: only
    failed ones are read), to put them back in line from the object's own retry.
    """
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == MessageStatus.FAILED, OutboxMessage.job.in_(tuple(jobs)))
        .order_by(OutboxMessage.created_at)
        .with_for_update(key_share=True)  # not held up by a batch holding its rows
    )
    return [
        message
        for message in session.scalars(query)
        if all(message.payload.get(key) == value for key, value in payload.items())
    ]


def retry_failed(session: Session, message_id: str, now: datetime) -> OutboxMessage:
    """Put a failed message back in line (staff asked for it); enqueued after commit."""
    message = session.get(OutboxMessage, message_id, with_for_update={"key_share": True})
    if message is None:
        raise LookupError(f"no job {message_id!r}")
    if message.status is not MessageStatus.FAILED:
        raise ValueError(f"job {message_id} is {message.status.value}, only failed jobs retry")
    message.status = MessageStatus.PENDING
    message.attempts = 0
    message.run_after = now
    message.enqueued_at = None
    session.info.setdefault(_PENDING_KEY, []).append(message.id)  # handed over alone
    return message
