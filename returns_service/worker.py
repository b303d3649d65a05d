"""Running outbox messages: the one RQ entry point, retries with backoff, and the worker loop."""

from __future__ import annotations

import logging
import threading
import traceback
from datetime import timedelta

from flask import Flask, current_app
from rq import SimpleWorker

from returns_service.errors import PermanentJobError
from returns_service.extensions import db, jobs
from returns_service.models import utcnow
from returns_service.outbox import MessageStatus, OutboxMessage, handler_for, relay

log = logging.getLogger(__name__)

RELAY_INTERVAL_SECONDS = 5.0


def backoff(attempts: int, base_seconds: float) -> timedelta:
    """Exponential backoff after the given number of failed attempts, capped at an hour."""
    return timedelta(seconds=min(base_seconds * 2 ** max(attempts - 1, 0), 3600))


def run_message(message_id: str) -> str:
    """Run one outbox message, once: a message that already succeeded is skipped.

    The row is locked while the job runs, so two deliveries of the same message (a relay
    after a lost acknowledgement) never run side by side. The handler works in the same
    transaction; its follow-up outbox rows are enqueued when it commits.
    """
    session = db.session
    now = utcnow()
    message = session.get(OutboxMessage, message_id, with_for_update=True)
    if message is None:
        session.rollback()
        return "missing"
    if message.status is not MessageStatus.PENDING:
        session.rollback()
        return message.status.value
    try:
        handler_for(message.job)(session, now, **message.payload)
        message.status = MessageStatus.SUCCEEDED
        message.attempts += 1
        message.finished_at = utcnow()
        message.last_error = None
        session.commit()
        return "succeeded"
    except Exception as exc:
        session.rollback()
        _record_failure(message_id, exc)
        return "retry"


def _record_failure(message_id: str, exc: Exception) -> None:
    session = db.session
    message = session.get(OutboxMessage, message_id, with_for_update=True)
    if message is None:
        session.rollback()
        return
    now = utcnow()
    message.attempts += 1
    message.last_error = "".join(traceback.format_exception_only(exc)).strip()[:4000]
    retries = current_app.config["JOB_RETRIES"]
    if isinstance(exc, PermanentJobError) or message.attempts > retries:
        message.status = MessageStatus.FAILED
        message.finished_at = now
        log.error("job %s (%s) failed for good: %s", message.id, message.job, message.last_error)
    else:
        message.run_after = now + backoff(message.attempts, current_app.config["JOB_BACKOFF"])
        message.enqueued_at = None  # the relay hands it over again when due
        log.warning("job %s (%s) failed, will retry: %s", message.id, message.job, exc)
    session.commit()


def run_periodic_tasks() -> None:
    """Time-driven work every worker does between jobs: expiring returns never sent,
    sending warehouse stops that were never answered to a person, reading the warehouse
    system's stock when it is due."""
    from returns_service.cancellations.operations import escalate_overdue_stops
    from returns_service.integrations.schedule import queue_due_stock_sync
    from returns_service.returns.operations import expire_due

    now = utcnow()
    expire_due(db.session, now)
    timeout = timedelta(minutes=current_app.config["WAREHOUSE_STOP_TIMEOUT_MINUTES"])
    escalate_overdue_stops(db.session, now, timeout)
    queue_due_stock_sync(db.session, now, current_app.config)
    db.session.commit()


def work_burst(app: Flask, max_rounds: int = 100) -> None:
    """Relay and run everything that is due, until nothing is left, then return."""
    with app.app_context():
        run_periodic_tasks()
        queue = jobs.queue
        for _ in range(max_rounds):
            relay(db.session, utcnow())
            if queue.count == 0:
                return
            SimpleWorker([queue], connection=queue.connection).work(burst=True)
            db.session.remove()


def work_forever(app: Flask) -> None:
    """Run jobs until stopped, relaying missed outbox rows every few seconds on a thread."""
    stop = threading.Event()
    relay_thread = threading.Thread(target=_relay_loop, args=(app, stop), daemon=True)
    relay_thread.start()
    try:
        with app.app_context():
            queue = jobs.queue
            SimpleWorker([queue], connection=queue.connection).work()
    finally:
        stop.set()
        relay_thread.join(timeout=RELAY_INTERVAL_SECONDS * 2)


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
