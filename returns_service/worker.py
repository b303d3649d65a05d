"""Running outbox messages: the one RQ entry point, retries with backoff, and the worker loop."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import SimpleWorker
from rq.exceptions import StopRequested
from rq.timeouts import BaseTimeoutException
from sqlalchemy import Connection, bindparam, or_, select, update
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

from returns_service.errors import PermanentJobError, RetryUntilError
from returns_service.extensions import db, jobs
from returns_service.models import utcnow
from returns_service.notifications.smtp import close_kept_connection
from returns_service.outbox import (
    MessageStatus,
    OutboxMessage,
    give_up_handler_for,
    handler_for,
    relay,
)
from returns_service.portable_sql import commit_without_waiting_for_disk
from returns_service.shop import ShopSettings, shop_settings

log = logging.getLogger(__name__)

RELAY_INTERVAL_SECONDS = 5.0
_UNREACHABLE = "database unavailable"
#: How long a job waits for an unreachable database before leaving itself to the relay.
DATABASE_WAIT_SECONDS = 60.0


def backoff(attempts: int, base_seconds: float) -> timedelta:
    """Exponential backoff after the given number of failed attempts, capped at an hour."""
    return timedelta(seconds=min(base_seconds * 2 ** max(attempts - 1, 0), 3600))


def prepare_process() -> None:
    """Set up a worker process once, in an app context, before its first job.

    A job makes its effect elsewhere (an e-mail sent, a refund paid) before it commits and
    is safe to run again, so its commit need not wait for the disk: a database crash that
    loses it runs the job again, as a worker killed before its commit does.
    """
    commit_without_waiting_for_disk(db.engine)


def run_messages(*message_ids: str) -> list[str]:
    """Run the messages of one RQ job in turn, each in its own transaction; returns how each
    went. While the database cannot be reached the rest are left to the relay too."""
    outcomes = []
    with held_while_running(message_ids):
        for message_id in message_ids:
            outcomes.append(run_message(message_id))
            if outcomes[-1] == _UNREACHABLE:
                break
    return outcomes


#: The weakest row lock: the relay's ``FOR UPDATE SKIP LOCKED`` passes over the rows it
#: holds, while a row's own claim and failure record (``FOR NO KEY UPDATE``) are not held up.
_HOLD = (
    select(OutboxMessage.id)
    .where(OutboxMessage.id.in_(bindparam("ids", expanding=True)))
    .with_for_update(read=True, key_share=True)
)


@contextlib.contextmanager
def held_while_running(message_ids: Sequence[str]) -> Iterator[None]:
    """Hold a batch's rows on a connection of their own while the batch runs.

    A running row's claim locks only that row; those waiting their turn behind it would
    look orphaned to the relay, which would hand them over again while the batch still
    runs them. The hold is the batch's sign of life, as a row's lock is a job's: it goes
    with the connection when the worker dies. Where the database is away, nothing is held
    (each row waits for it in turn).
    """
    connection = _holding(message_ids) if len(message_ids) > 1 else None
    try:
        yield
    finally:
        if connection is not None:
            with contextlib.suppress(DBAPIError):
                connection.close()  # ends its transaction: the rows are let go


def _holding(message_ids: Sequence[str]) -> Connection | None:
    """A connection whose transaction holds the rows; None where the database is away."""
    try:
        connection = db.engine.connect()
    except DBAPIError:
        return None
    try:
        connection.execute(_HOLD, {"ids": list(message_ids)}).close()  # the locks stay
    except DBAPIError:
        with contextlib.suppress(DBAPIError):
            connection.close()
        return None
    return connection


def run_message(message_id: str) -> str:
    """Run one outbox message, once: a message that already succeeded is skipped, and a
    retry still waiting out its backoff is left pending for the relay.

    The row is locked while the job runs, so two deliveries of the same message (a relay
    after a lost acknowledgement) never run side by side. The handler works in the same
    transaction; its follow-up outbox rows are enqueued when it commits. When the database
    cannot be reached the job waits for it (every other job would too) and runs as soon as
    it answers; past ``DATABASE_WAIT_SECONDS`` the message is left pending and unlocked,
    and the relay hands it over again (see :mod:`returns_service.outbox`).
    """
    deadline = time.monotonic() + DATABASE_WAIT_SECONDS
    pause = 0.2
    while True:
        try:
            return _run_locked(message_id)
        except DBAPIError as exc:
            if not _database_unreachable(exc):
                raise
            _discard_session()
            if time.monotonic() + pause > deadline:
                log.warning("job %s left for the relay: %s", message_id, _first_line(exc))
                return _UNREACHABLE
            log.warning("job %s waits for the database: %s", message_id, _first_line(exc))
        time.sleep(pause)
        pause = min(pause * 2, 2.0)


#: How far ahead of its backoff a retry may run: another host's clock may run a little
#: ahead of this one's.
_CLOCK_SLACK = timedelta(seconds=2)
#: One statement claims the message and marks it done: the UPDATE holds the row's lock
#: until the job's transaction ends (as FOR UPDATE did), and a job that fails rolls the
#: mark back with its own work. ``finished_at`` is when the job ran. Built once. A retry
#: is claimed only once its backoff is over, so that its job arriving again before its
#: time (RQ may hand a job it lost track of to another worker) leaves it for the relay; a
#: message not yet tried runs when its job comes.
_CLAIM = (
    update(OutboxMessage)
    .where(
        OutboxMessage.id == bindparam("message_id"),
        OutboxMessage.status == MessageStatus.PENDING,
        or_(OutboxMessage.attempts == 0, OutboxMessage.run_after <= bindparam("due_by")),
    )
    .values(
        status=MessageStatus.SUCCEEDED,
        attempts=OutboxMessage.attempts + 1,
        finished_at=bindparam("now"),
        last_error=None,
    )
    .returning(OutboxMessage.job, OutboxMessage.payload)
)


def _run_locked(message_id: str) -> str:
    session = db.session
    now = utcnow()
    # On the session's connection, in its transaction: the ORM adds nothing to this statement.
    claimed = (
        session.connection()
        .execute(_CLAIM, {"message_id": message_id, "now": now, "due_by": now + _CLOCK_SLACK})
        .one_or_none()
    )
    if claimed is None:
        status = session.scalar(select(OutboxMessage.status).where(OutboxMessage.id == message_id))
        session.rollback()
        return "missing" if status is None else status.value
    job, payload = claimed
    try:
        handler_for(job)(session, now, shop_settings(current_app), **payload)
        session.commit()
        return "succeeded"
    except Exception as exc:
        if isinstance(exc, DBAPIError) and _database_unreachable(exc):
            raise
        session.rollback()
        if isinstance(exc, BaseTimeoutException):
            # RQ's time for the whole job is up: not this message's failure. It is left
            # pending for the relay, with the rest of the batch.
            raise
        _record_failure(message_id, exc)
        return "retry"


def _database_unreachable(exc: DBAPIError) -> bool:
    """Whether an error means the connection to the database is gone, not a bad statement."""
    return exc.connection_invalidated or isinstance(exc, (OperationalError, InterfaceError))


def _discard_session() -> None:
    try:
        db.session.rollback()
    except DBAPIError:
        pass  # the connection is gone with the transaction; the pool replaces it
    db.session.remove()


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0]


def _record_failure(message_id: str, exc: Exception) -> None:
    session = db.session
    message = session.get(OutboxMessage, message_id, with_for_update={"key_share": True})
    if message is None or message.status is not MessageStatus.PENDING:
        session.rollback()  # gone, or another delivery of it ran it meanwhile
        return
    now = utcnow()
    message.attempts += 1
    message.last_error = "".join(traceback.format_exception_only(exc)).strip()[:4000]
    if _gives_up(exc, message.attempts, now):
        message.status = MessageStatus.FAILED
        message.finished_at = now
        log.error("job %s (%s) failed for good: %s", message.id, message.job, message.last_error)
        _tell_owner(session, message, now)
    else:
        message.run_after = now + backoff(message.attempts, current_app.config["JOB_BACKOFF"])
        message.enqueued_at = None  # the relay hands it over again when due
        log.warning("job %s (%s) failed, will retry: %s", message.id, message.job, exc)
    session.commit()


PeriodicTask = Callable[[Session, datetime, ShopSettings], object]
_PERIODIC_TASKS: dict[str, PeriodicTask] = {}


def _gives_up(exc: Exception, attempts: int, now: datetime) -> bool:
    if isinstance(exc, PermanentJobError):
        return True
    if isinstance(exc, RetryUntilError):
        return now >= exc.give_up_at
    return attempts > current_app.config["JOB_RETRIES"]


def _tell_owner(session: Session, message: OutboxMessage, now: datetime) -> None:
    """Let the domain the job acts on record the failure on its own object."""
    handler = give_up_handler_for(message.job)
    if handler is None:
        return
    try:
        with session.begin_nested():
            handler(session, now, message.last_error or "", **message.payload)
    except Exception:
        # The message is failed either way; staff still see it in the failed-jobs list.
        log.exception("recording the failure of job %s on its owner failed", message.id)


def register_periodic_task(name: str, task: PeriodicTask) -> None:
    """Run ``task(session, now, settings)`` between jobs (done once, in the app factory)."""
    if _PERIODIC_TASKS.get(name, task) is not task:
        raise ValueError(f"periodic task {name!r} is registered twice")
    _PERIODIC_TASKS[name] = task


def run_periodic_tasks() -> None:
    """Time-driven work every worker does between jobs, in one transaction."""
    now = utcnow()
    for task in _PERIODIC_TASKS.values():
        task(db.session, now, shop_settings(current_app))
    db.session.commit()


def work_burst(app: Flask, max_rounds: int = 100) -> None:
    """Relay and run everything that is due, until nothing is left, then return."""
    with app.app_context():
        prepare_process()
        run_periodic_tasks()
        queue = jobs.queue
        for _ in range(max_rounds):
            relay(db.session, utcnow())
            if queue.count == 0:
                return
            ServiceWorker([queue], connection=queue.connection).work(
                burst=True, logging_level=app.config["LOG_LEVEL"]
            )
            db.session.remove()


#: How long RQ's command listener waits for a command (or, once unsubscribed, for a new
#: subscription) before it looks again whether it is to stop. Below the second RQ gives
#: the listener to end before closing its connection (where redis-py's stop does not wait
#: for it, before 8.2), so that the two never close it at once.
LISTENER_WAKE_SECONDS = 0.5


class ServiceWorker(SimpleWorker):
    """RQ's worker, running each job in the worker's own process (no fork), whose command
    listener ends within half a second of the worker stopping.

    RQ ends the listener thread by unsubscribing it from the worker's channel, counting on
    the reply to wake it, and then tells it to stop. The thread can read that reply first
    and go back to waiting, now for a new subscription, for as long as RQ lets it wait (a
    minute); since redis-py 8.2 telling it to stop waits for it, so a worker now and then
    took a minute to quit. Telling the thread before unsubscribing it would let it close
    the connection under the unsubscribe being sent; a shorter wait bounds the stop
    instead, at the cost of the idle listener waking twice a second.
    """

    def subscribe(self) -> None:
        """RQ's subscription, its listener waking every :data:`LISTENER_WAKE_SECONDS`."""
        self.log.info("Worker %s: subscribing to channel %s", self.name, self.pubsub_channel_name)
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=LISTENER_WAKE_SECONDS,
            daemon=True,
            exception_handler=self._pubsub_exception_handler,
        )


class _StoppableWorker(ServiceWorker):
    """An RQ worker that remembers whether SIGTERM or SIGINT ended its loop."""

    stop_signalled = False

    def request_stop(self, signum: int, frame: Any) -> None:
        self.stop_signalled = True
        super().request_stop(signum, frame)


def work_forever(app: Flask) -> None:
    """Run jobs until stopped, relaying missed outbox rows every few seconds on a thread.

    Redis being away at start or later does not end the process: it waits and reconnects,
    and the relay thread keeps sweeping the outbox meanwhile.
    """
    with app.app_context():
        prepare_process()
    stop = threading.Event()
    relay_thread = threading.Thread(target=_relay_loop, args=(app, stop), daemon=True)
    relay_thread.start()
    try:
        with app.app_context(), contextlib.suppress(StopRequested):
            # StopRequested: SIGTERM while waiting for Redis, raised by RQ's signal handler.
            queue = jobs.queue
            while True:
                _wait_for_redis(queue.connection)
                worker = _StoppableWorker([queue], connection=queue.connection)
                try:
                    # RQ logs at INFO unless told: a line or more per job at WARNING too.
                    worker.work(logging_level=app.config["LOG_LEVEL"])
                except RedisError as exc:
                    if worker.stop_signalled:
                        return
                    log.warning("worker lost Redis: %s; reconnecting", _first_line(exc))
                    continue
                if worker.stop_signalled:
                    return
                # RQ ends its loop on a Redis timeout or an unexpected error: start again.
                log.warning("worker loop ended; starting again")
                time.sleep(1.0)
    finally:
        stop.set()
        close_kept_connection()
        relay_thread.join(timeout=RELAY_INTERVAL_SECONDS * 2)


def _wait_for_redis(connection: Redis, longest_wait: float = 5.0) -> None:
    """Return once Redis answers, waiting longer between tries (up to ``longest_wait``)."""
    wait = 1.0
    while True:
        try:
            connection.ping()
            return
        except RedisError as exc:
            log.warning("Redis is not reachable (%s); trying again in %.0f s", exc, wait)
        time.sleep(wait)
        wait = min(wait * 2, longest_wait)


def relay_forever(app: Flask) -> None:
    """Relay missed outbox rows every few seconds until interrupted."""
    _relay_loop(app, threading.Event())


def _relay_loop(app: Flask, stop: threading.Event) -> None:
    while not stop.is_set():
        with app.app_context():
            try:
                run_periodic_tasks()
                count = relay(db.session, utcnow())
                if count:
                    log.info("relayed %d outbox messages", count)
            except Exception:
                # The relay must outlive a database or Redis outage; it retries next round.
                log.exception("outbox relay round failed")
        stop.wait(RELAY_INTERVAL_SECONDS)
