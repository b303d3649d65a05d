"""The worker command and its retry schedule."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.outbox import MessageStatus, OutboxMessage
from returns_service.worker import backoff
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


def test_backoff_doubles_from_the_base_and_stops_at_an_hour() -> None:
    assert [backoff(n, 10).total_seconds() for n in (1, 2, 3, 4)] == [10, 20, 40, 80]
    assert backoff(30, 10) == timedelta(hours=1)
