"""The worker command and its retry schedule."""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta
from logging import WARNING

import pytest
from flask import Flask
from pytest_httpserver import HTTPServer
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from returns_service.extensions import db, jobs
from returns_service.models import utcnow
from returns_service.notifications.webhooks import queue_webhook
from returns_service.outbox import MessageStatus, OutboxMessage, handler_for
from returns_service.wiring import JOBS
from returns_service.worker import (
    LISTENER_WAKE_SECONDS,
    ServiceWorker,
    backoff,
    prepare_process,
    run_message,
    work_burst,
)
from tests.notifications.outbound import add_endpoint
from tests.shop import Shop


def test_worker_burst_runs_everything_pending_and_exits(
    app: Flask, shop: Shop, session: Session
) -> None:
    order = shop.put_order()
    shop.file(
        shop.customer(),
        [{"line_id": shop.line_id(order, "L2"), "quantity": 1, "reason": "UNWANTED"}],
    )
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    statuses = set(session.scalars(select(OutboxMessage.status)))
    assert statuses == {MessageStatus.SUCCEEDED}


def test_the_worker_logs_each_job_only_at_the_configured_level(
    app: Flask, shop: Shop, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = shop.put_order()
    shop.file(
        shop.customer(),
        [{"line_id": shop.line_id(order, "L2"), "quantity": 1, "reason": "UNWANTED"}],
    )
    monkeypatch.setitem(app.config, "LOG_LEVEL", "WARNING")
    with caplog.at_level(logging.INFO):
        work_burst(app)

    rq_info = [r for r in caplog.records if r.name.startswith("rq.") and r.levelno < WARNING]
    assert not rq_info, [r.getMessage() for r in rq_info]


def test_a_worker_commits_without_waiting_for_the_disk(app: Flask) -> None:
    with app.app_context():
        prepare_process()
        with db.engine.connect() as connection:
            setting = connection.scalar(text("SHOW synchronous_commit"))
            connection.rollback()
            assert connection.scalar(text("SHOW synchronous_commit")) == setting == "off"


def test_backoff_doubles_from_the_base_and_stops_at_an_hour() -> None:
    assert [backoff(n, 10).total_seconds() for n in (1, 2, 3, 4)] == [10, 20, 40, 80]
    assert backoff(30, 10) == timedelta(hours=1)


#: Every job the service runs; a new job kind belongs here too.
JOB_KINDS = (
    "cancel_pickup",
    "cancel_shopify_order",
    "create_exchange_shipment",
    "create_return_label",
    "issue_refund",
    "issue_store_credit",
    "line_reply",
    "push_line_message",
    "reconcile_shopify_stock",
    "request_pickup",
    "restock",
    "send_email",
    "send_webhook",
    "sync_shopify_return",
    "warehouse_cancel_order",
    "warehouse_expect_return",
    "warehouse_send_shipment",
    "warehouse_stop_shipment",
    "warehouse_sync_stock",
    "zendesk_add_note",
    "zendesk_open_ticket",
    "zendesk_solve_ticket",
)


def test_the_list_of_job_kinds_is_complete() -> None:
    assert set(JOB_KINDS) == set(JOBS)


@pytest.mark.parametrize("kind", JOB_KINDS)
def test_a_succeeded_message_delivered_again_runs_nothing(
    app: Flask, session: Session, kind: str
) -> None:
    # Its payload is empty: were the handler called, it would fail on the missing arguments.
    handler_for(kind)
    now = utcnow()
    message = OutboxMessage(
        id=f"again-{kind}",
        job=kind,
        payload={},
        status=MessageStatus.SUCCEEDED,
        attempts=1,
        created_at=now,
        run_after=now,
        finished_at=now,
    )
    session.add(message)
    session.commit()

    with app.app_context():
        assert run_message(message.id) == "succeeded"

    session.expire_all()
    again = session.get(OutboxMessage, message.id)
    assert (again.status, again.attempts, again.last_error) == (MessageStatus.SUCCEEDED, 1, None)


def _webhook_to_receiver(session: Session, httpserver: HTTPServer) -> OutboxMessage:
    """A webhook queued for a receiver on loopback that answers 200 (not yet committed)."""
    add_endpoint(session, httpserver.url_for("/hook"))
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    [message] = queue_webhook(session, utcnow(), "return.approved", {"rma": "RMA-1"})
    return message


def test_a_retry_delivered_again_before_its_time_waits_for_it(
    app: Flask, session: Session, httpserver: HTTPServer
) -> None:
    message = _webhook_to_receiver(session, httpserver)
    message.attempts, message.run_after = 1, utcnow() + timedelta(seconds=10)  # backing off
    session.commit()

    with app.app_context():  # its job arrives again meanwhile
        assert run_message(message.id) == "pending"
    assert httpserver.log == []
    session.expire_all()
    waiting = session.get(OutboxMessage, message.id)
    assert (waiting.status, waiting.attempts) == (MessageStatus.PENDING, 1)

    waiting.run_after = utcnow()  # its time has come
    session.commit()
    with app.app_context():
        assert run_message(message.id) == "succeeded"
    assert len(httpserver.log) == 1


def test_a_webhook_delivered_again_after_a_lost_acknowledgement_posts_once(
    app: Flask, session: Session, httpserver: HTTPServer
) -> None:
    message = _webhook_to_receiver(session, httpserver)
    session.commit()
    work_burst(app)

    with app.app_context():
        assert run_message(message.id) == "succeeded"  # the relay handed it over again
    work_burst(app)

    assert len(httpserver.log) == 1


def test_a_worker_quits_within_seconds_when_its_listener_reads_the_unsubscribe_reply_first(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race behind a worker taking a minute to quit, made certain: the listener thread
    reads the reply to the unsubscribe before the worker tells it to stop."""
    with app.app_context():
        worker = ServiceWorker([jobs.queue], connection=jobs.queue.connection)
    worker.subscribe()
    pubsub = worker.pubsub
    send_unsubscribe = pubsub.unsubscribe
    reply_read: list[bool] = []

    def unsubscribe_and_let_the_listener_read_the_reply(*channels: str) -> None:
        send_unsubscribe(*channels)
        deadline = time.monotonic() + 5
        while pubsub.subscribed and time.monotonic() < deadline:
            time.sleep(0.01)
        reply_read.append(not pubsub.subscribed)

    monkeypatch.setattr(pubsub, "unsubscribe", unsubscribe_and_let_the_listener_read_the_reply)
    quitting = threading.Thread(target=worker.unsubscribe, daemon=True)
    quitting.start()
    quitting.join(timeout=LISTENER_WAKE_SECONDS + 5)
    assert reply_read == [True], "the listener never read the reply"
    assert not quitting.is_alive(), "the worker still waits for its listener"
    assert not worker.pubsub_thread.is_alive()
