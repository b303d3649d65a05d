"""A worker killed with SIGKILL in the middle of a refund: another worker finishes the job
within a minute, and the customer is refunded once."""

from __future__ import annotations

import copy
import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from redis import Redis
from rq import Worker
from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.outbox import MessageStatus, OutboxMessage, batch_job_id
from returns_service.refunds.models import RefundStatus
from tests.conftest import shared_payload
from tests.faults.conftest import Processes, wait_for
from tests.refunds.conftest import keep_item_return, only_refund, put_paid_order
from tests.shop import Shop

STRIPE_KEY = "sk_test_faults"
PAYMENT_INTENT = "pi_3MtwBwLkdIwHu7ix28a3tqPa"


class SlowStripe(ThreadingHTTPServer):
    """Stripe's ``POST /v1/refunds`` on loopback: one refund per Idempotency-Key, replayed
    after; the first request is carried out and then held until :attr:`release` is set."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _StripeHandler)
        self.template = shared_payload("stripe_openapi__fixtures3__refund_object.json")["refund"]
        self.keys: list[str | None] = []
        self.refunds: dict[str, dict[str, Any]] = {}
        self.holding = threading.Event()
        self.release = threading.Event()

    @property
    def url(self) -> str:
        """The API base to configure."""
        return f"http://127.0.0.1:{self.server_address[1]}"

    def answer(self, key: str, form: dict[str, str]) -> tuple[dict[str, Any], bool]:
        """The refund for a key, made on first sight; whether it was made now."""
        self.keys.append(key)
        if key in self.refunds:
            return self.refunds[key], False
        refund = copy.deepcopy(self.template)
        refund.update(
            id=f"re_faults{len(self.refunds) + 1:04d}",
            amount=int(form["amount"]),
            currency="jpy",
            payment_intent=form.get("payment_intent"),
            status="succeeded",
        )
        self.refunds[key] = refund
        return refund, True


class _StripeHandler(BaseHTTPRequestHandler):
    server: SlowStripe

    def do_POST(self) -> None:  # noqa: N802 (the name http.server calls)
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        if self.headers.get("Authorization") != f"Bearer {STRIPE_KEY}":
            self._send(401, {"error": {"message": "Invalid API Key provided"}})
            return
        refund, created = self.server.answer(self.headers.get("Idempotency-Key") or "", form)
        if created and not self.server.holding.is_set():
            self.server.holding.set()
            self.server.release.wait(timeout=120)  # the worker is killed meanwhile
        self._send(200, refund)

    def _send(self, status: int, body: dict[str, Any]) -> None:
        raw = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)
        except OSError:
            pass  # the caller is dead

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def slow_stripe() -> Iterator[SlowStripe]:
    """A loopback Stripe that holds its first refund request."""
    server = SlowStripe()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()


def _worker_running(redis_url: str, job_id: str) -> Worker | None:
    for worker in Worker.all(connection=Redis.from_url(redis_url)):
        if worker.get_current_job_id() == job_id:
            return worker
    return None


def _refund_job(session: Session) -> OutboxMessage:
    session.expire_all()
    return session.scalars(select(OutboxMessage).where(OutboxMessage.job == "issue_refund")).one()


def test_a_worker_killed_mid_refund_is_covered_by_another_within_a_minute_refunding_once(
    shop: Shop,
    session: Session,
    processes: Processes,
    slow_stripe: SlowStripe,
    redis_url: str,
) -> None:
    stripe = {"STRIPE_API_BASE": slow_stripe.url, "STRIPE_API_KEY": STRIPE_KEY}
    workers = [processes.start("worker", **stripe) for _ in range(2)]
    order = put_paid_order(
        shop, "stripe", PAYMENT_INTENT, email_address="emily@example.com", locale="en"
    )
    keep_item_return(shop, order, "L2", 2, "emily@example.com")
    job_id = batch_job_id(_refund_job(session).id)  # handed over with its transaction's

    wait_for(slow_stripe.holding.is_set, 30, "a worker to call Stripe")
    busy = wait_for(lambda: _worker_running(redis_url, job_id), 10, "RQ to name the worker")
    victim = next(process for process in workers if process.pid == busy.pid)
    os.kill(victim.pid, signal.SIGKILL)
    killed_at = time.monotonic()
    victim.wait(timeout=10)

    def refunded() -> bool:
        return only_refund(session).status is RefundStatus.SUCCEEDED

    wait_for(refunded, 60, "the other worker to finish the refund", every=0.5)
    recovered_in = time.monotonic() - killed_at
    print(f"refund finished {recovered_in:.1f} s after the kill")
    assert recovered_in < 60
    key = f"refund-{only_refund(session).id}"
    assert slow_stripe.keys == [key, key]  # the second call was replayed by its key
    assert len(slow_stripe.refunds) == 1
    refund = only_refund(session)
    assert refund.provider_reference == slow_stripe.refunds[key]["id"]
    assert refund.order.refunded_amount == refund.amount == 2200
    assert _refund_job(session).status is MessageStatus.SUCCEEDED
