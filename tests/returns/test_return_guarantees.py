"""What a return never does: over-return, run twice, get lost between commit and queue."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from flask import Flask
from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import rules
from returns_service.auth.models import Role
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.outbox import MessageStatus, OutboxMessage
from returns_service.refunds.models import SandboxRefund
from returns_service.returns.models import ReturnRequest
from returns_service.returns.operations import expire_due
from tests.shop import Inbox, Shop, order_document


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_the_same_idempotency_key_answers_the_first_return_again(
    shop: Shop, inbox: Inbox, session: Session
) -> None:
    order = shop.put_order()
    customer = shop.customer()
    lines = [{"line_id": shop.line_id(order, "L1"), "quantity": 1, "reason": "SIZE_TOO_SMALL"}]
    first = shop.file(customer, lines, key="key-1")
    second = shop.file(customer, lines, key="key-1")
    assert first.status_code == second.status_code == 201
    assert first.json == second.json
    assert _count(session, ReturnRequest) == 1

    reused = shop.file(customer, [{**lines[0], "reason": "STYLE"}], key="key-1")
    assert reused.status_code == 422
    assert "Idempotency-Key" in reused.json["message"]
    assert _count(session, ReturnRequest) == 1
    shop.run_jobs()
    assert len(inbox.messages) == 2  # received and approved, once each


def test_more_units_than_delivered_minus_returned_is_refused(shop: Shop, session: Session) -> None:
    order = shop.put_order()
    customer = shop.customer()
    line = shop.line_id(order, "L1")
    assert (
        shop.file(customer, [{"line_id": line, "quantity": 2, "reason": "STYLE"}]).status_code
        == 409
    )
    assert (
        shop.file(customer, [{"line_id": line, "quantity": 1, "reason": "STYLE"}]).status_code
        == 201
    )
    again = shop.file(customer, [{"line_id": line, "quantity": 1, "reason": "STYLE"}])
    assert again.status_code == 409
    assert "0 returnable" in again.json["message"]
    assert _count(session, ReturnRequest) == 1


def test_two_requests_racing_for_the_last_unit_let_exactly_one_through(
    app: Flask, shop: Shop, session: Session
) -> None:
    order = shop.put_order()
    customer = shop.customer()
    line = shop.line_id(order, "L1")
    body = {
        "lines": [{"line_id": line, "quantity": 1, "reason": "STYLE"}],
        "resolution": "refund",
        "method": {"type": "dropoff"},
    }

    def file_once(_: int) -> int:
        return app.test_client().post("/api/v1/returns", json=body, headers=customer).status_code

    for _ in range(3):
        with ThreadPoolExecutor(max_workers=4) as pool:
            statuses = sorted(pool.map(file_once, range(4)))
        assert statuses.count(201) <= 1
        assert statuses.count(201) + statuses.count(409) == 4
    assert _count(session, ReturnRequest) == 1


def test_a_process_killed_between_commit_and_enqueue_loses_nothing(
    app: Flask, shop: Shop, inbox: Inbox, session: Session
) -> None:
    order = shop.put_order()
    customer = shop.customer()
    body = {
        "lines": [{"line_id": shop.line_id(order, "L2"), "quantity": 1, "reason": "UNWANTED"}],
        "resolution": "refund",
        "method": {"type": "dropoff"},
    }
    env = dict(
        os.environ,
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=app.config["REDIS_URL"],
        BODY=json.dumps(body),
        TOKEN=customer["Authorization"].split()[1],
    )
    crashed = subprocess.run(
        [sys.executable, "-m", "tests.returns.crash_after_commit"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert crashed.returncode == 9, crashed.stderr

    assert _count(session, ReturnRequest) == 1  # committed
    assert Redis.from_url(app.config["REDIS_URL"]).llen("rq:queue:returns") == 0
    pending = session.scalars(select(OutboxMessage)).all()
    assert pending and all(m.enqueued_at is None for m in pending)

    shop.run_jobs()  # the relay inside the worker finds what the dead process left

    session.expire_all()
    assert {m.status for m in session.scalars(select(OutboxMessage))} == {MessageStatus.SUCCEEDED}
    assert _count(session, SandboxRefund) == 1
    assert len(inbox.messages) == 3  # received, approved (keep the item), refund issued


def test_running_a_job_again_changes_nothing(app: Flask, shop: Shop, session: Session) -> None:
    from returns_service.worker import run_message

    order = shop.put_order()
    customer = shop.customer()
    shop.file(
        customer, [{"line_id": shop.line_id(order, "L2"), "quantity": 1, "reason": "UNWANTED"}]
    )
    shop.run_jobs()
    refund_job = session.scalar(select(OutboxMessage).where(OutboxMessage.job == "issue_refund"))
    with app.app_context():
        assert run_message(refund_job.id) == "succeeded"  # already done: skipped
    assert _count(session, SandboxRefund) == 1


def test_an_approved_return_never_sent_expires(app: Flask, shop: Shop, inbox: Inbox) -> None:
    order = shop.put_order()
    customer = shop.customer()
    rma = shop.file(
        customer, [{"line_id": shop.line_id(order, "L1"), "quantity": 1, "reason": "STYLE"}]
    ).json["rma"]
    with app.app_context():
        assert expire_due(db.session, utcnow() + timedelta(days=13)) == 0
        assert expire_due(db.session, utcnow() + timedelta(days=15)) == 1
        db.session.commit()
    assert shop.get(rma)["status"] == "expired"
    shop.run_jobs()
    assert inbox.subjects()[1:] == [
        f"返品を承認しました（返品番号 {rma}）",
        f"返品のお申し込みを終了しました（返品番号 {rma}）",
    ]
    timeline = [event["kind"] for event in shop.get(rma)["timeline"]]
    assert timeline[-1] == "return.expired"


def test_the_same_key_sent_twice_at_once_files_one_return(
    app: Flask, shop: Shop, session: Session
) -> None:
    order = shop.put_order()
    customer = shop.customer()
    body = {
        "lines": [{"line_id": shop.line_id(order, "L1"), "quantity": 1, "reason": "STYLE"}],
        "resolution": "refund",
        "method": {"type": "dropoff"},
    }

    def file_once(_: int) -> tuple[int, str]:
        response = app.test_client().post(
            "/api/v1/returns", json=body, headers=customer | {"Idempotency-Key": "same"}
        )
        return response.status_code, response.json["rma"]

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(file_once, range(2)))
    assert answers[0] == answers[1]
    assert answers[0][0] == 201
    assert _count(session, ReturnRequest) == 1


def test_a_return_never_refunds_more_than_was_paid_minus_refunded(
    shop: Shop, session: Session
) -> None:
    document_refunded = 145900 - 500  # the shop refunded all but 500 yen elsewhere
    order = shop.client.put(
        "/api/v1/orders/5001",
        json=order_document() | {"refunded": {"amount": document_refunded, "currency": "JPY"}},
        headers=shop.integration,
    ).json
    customer = shop.customer()
    mugs = [{"line_id": shop.line_id(order, "L2"), "quantity": 2, "reason": "DEFECTIVE"}]
    kept = shop.file(customer, mugs).json  # 2,200 yen, kept by the customer: refunded at once
    assert kept["status"] == "completed", kept
    shop.run_jobs()

    assert [r.amount for r in session.scalars(select(SandboxRefund))] == [500]
    assert [r["amount"]["amount"] for r in shop.get(kept["rma"])["refunds"]] == [500]


def test_a_refund_settles_only_the_units_received(shop: Shop, session: Session) -> None:
    two_pairs = {
        "external_id": "L1",
        "sku": "DNM-30",
        "title": "セルビッジデニム 30",
        "quantity": 2,
        "unit_price": {"amount": 12800, "currency": "JPY"},
        "product_type": "apparel",
    }
    order = shop.put_order(lines=[two_pairs])
    created = shop.file(
        shop.customer(), [{"line_id": shop.line_id(order, "L1"), "quantity": 2, "reason": "STYLE"}]
    ).json
    rma, line = created["rma"], created["lines"][0]["id"]
    received = shop.client.post(
        f"/api/v1/returns/{rma}/receive",
        headers=shop.warehouse,
        json={"lines": [{"line_id": line, "quantity": 1}]},
    )
    assert received.status_code == 200, received.json
    shop.client.post(
        f"/api/v1/returns/{rma}/inspect",
        headers=shop.warehouse,
        json={"lines": [{"line_id": line, "condition": "good", "disposition": "restock"}]},
    )
    shop.run_jobs()
    assert [r.amount for r in session.scalars(select(SandboxRefund))] == [12800]


def test_nothing_received_refunds_nothing_even_when_refunds_are_due_on_receipt(
    shop: Shop, session: Session, token_for: Callable[[Role], dict[str, str]]
) -> None:
    document = rules.default_rule_set()
    document["rules"][-1]["action"]["refund_timing"] = "on_receipt"
    admin = token_for(Role.ADMIN)
    shop.publish_rules(document, admin)
    order = shop.put_order()
    created = shop.file(
        shop.customer(), [{"line_id": shop.line_id(order, "L1"), "quantity": 1, "reason": "STYLE"}]
    ).json
    assert created["refund_timing"] == "on_receipt"
    rma, line = created["rma"], created["lines"][0]["id"]
    shop.client.post(
        f"/api/v1/returns/{rma}/receive",
        headers=shop.warehouse,
        json={"lines": [{"line_id": line, "quantity": 0}]},
    )
    shop.run_jobs()
    assert shop.get(rma)["status"] == "received"
    assert session.scalar(select(func.count()).select_from(SandboxRefund)) == 0
