"""A worker stopped as a service manager stops it (SIGTERM) quits within seconds, its job done."""

from __future__ import annotations

import signal

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service import outbox
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.outbox import MessageStatus, OutboxMessage
from tests.faults.conftest import Processes, wait_for


def _succeeded(session: Session) -> bool:
    session.expire_all()
    return list(session.scalars(select(OutboxMessage.status))) == [MessageStatus.SUCCEEDED]


def test_a_worker_told_to_stop_after_a_job_quits_within_seconds(
    app: Flask, session: Session, processes: Processes
) -> None:
    worker = processes.start("worker")
    with app.app_context():
        outbox.record(db.session, "restock", utcnow(), return_line_id=1_000_000)
        db.session.commit()
    wait_for(lambda: _succeeded(session), 30, "the worker to run the job")

    worker.send_signal(signal.SIGTERM)

    assert worker.wait(timeout=10) == 0, processes.output()
