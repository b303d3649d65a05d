"""PostgreSQL cut by a proxy and Redis stopped: requests answer 503 (or keep working), jobs
taken meanwhile run once the database is back, and nothing needs a restart."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests
from flask import Flask
from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from returns_service import outbox
from returns_service.auth.models import Role
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.outbox import MessageStatus, OutboxMessage
from tests.faults.conftest import Processes, RedisServer, TcpProxy, proxied, wait_for
from tests.shop import Shop, csrf

TokenFor = Callable[[Role], dict[str, str]]

# A cut connection leaves the clients' sockets to be collected after the test; the warning
# CPython gives then is about the cut this test makes on purpose, not a leak of the service.
pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def _statuses(session: Session) -> dict[MessageStatus, int]:
    session.expire_all()
    rows = session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ).all()
    return dict(rows)  # type: ignore[arg-type]


def test_jobs_taken_while_the_database_is_cut_run_once_it_is_back(
    app: Flask,
    session: Session,
    processes: Processes,
    database_proxy: TcpProxy,
    database_url: str,
    redis_url: str,
) -> None:
    processes.start("worker", DATABASE_URL=proxied(database_url, database_proxy))
    database_proxy.cut()
    with app.app_context():
        # Recorded straight into PostgreSQL and handed to RQ: the worker takes them at once.
        for line in range(20):
            outbox.record(db.session, "restock", utcnow(), return_line_id=1_000_000 + line)
        db.session.commit()
    queue = Redis.from_url(redis_url)
    # Two jobs of 16 and 4 messages: the worker has taken the first.
    wait_for(lambda: queue.llen("rq:queue:returns") < 2, 30, "the worker to take a job")

    database_proxy.restore()

    # Within seconds: the relay's hand-over of orphans (15 s and more) is not what runs them.
    wait_for(lambda: _statuses(session) == {MessageStatus.SUCCEEDED: 20}, 10, "the jobs to run")
    session.expire_all()
    attempts = session.scalars(select(OutboxMessage.attempts))
    assert set(attempts) == {1}


def test_requests_answer_503_while_the_database_is_cut_and_recover(
    processes: Processes,
    database_proxy: TcpProxy,
    database_url: str,
    token_for: TokenFor,
) -> None:
    web = processes.web(DATABASE_URL=proxied(database_url, database_proxy))
    agent = token_for(Role.AGENT)
    assert requests.get(f"{web}/api/v1/refunds", headers=agent, timeout=10).status_code == 200

    browser = requests.Session()
    form = {"csrf": csrf(browser.get(f"{web}/", timeout=10).text)}

    database_proxy.cut()
    api = requests.get(f"{web}/api/v1/refunds", headers=agent, timeout=10)
    ready = requests.get(f"{web}/readyz", timeout=10)
    form |= {"order_number": "#5001", "contact": "hanako@example.jp"}
    page = browser.post(f"{web}/", data=form, headers={"Accept": "text/html"}, timeout=10)
    database_proxy.restore()

    assert api.status_code == 503 and api.headers["Retry-After"].isdigit()
    assert api.json()["code"] == 503 and "try again" in api.json()["message"]
    assert ready.status_code == 503 and ready.json()["failing"] == ["database"]
    assert str(database_proxy.port) not in ready.text
    assert page.status_code == 503 and page.headers["Retry-After"].isdigit()
    assert page.headers["Content-Type"].startswith("text/html")  # the portal's own page
    assert "ただいま一時的にご利用いただけません" in page.text
    wait_for(
        lambda: requests.get(f"{web}/api/v1/refunds", headers=agent, timeout=10).status_code == 200,
        20,
        "the web server to reach the database again",
    )


def test_sign_in_works_while_redis_is_down_and_a_worker_waits_for_it(
    redis_server: RedisServer,
    shop: Shop,
    session: Session,
    processes: Processes,
) -> None:
    shop.put_order()
    web = processes.web(REDIS_URL=redis_server.url)
    redis_server.stop()

    for _ in range(3):
        answer = requests.post(
            f"{web}/api/v1/portal/session",
            json={"order_number": "#5001", "email": "hanako@example.jp"},
            timeout=30,
        )
        assert answer.status_code == 201, answer.text
    worker = processes.start("worker", REDIS_URL=redis_server.url)
    # Written while Redis is away, so never handed over: the relay has to.
    now = utcnow()
    for line in range(5):
        session.add(
            OutboxMessage(
                id=f"redis-down-{line}",
                job="restock",
                payload={"return_line_id": 1_000_000 + line},
                created_at=now,
                run_after=now,
            )
        )
    session.commit()
    wait_for(
        lambda: "Redis is not reachable" in processes.output(), 30, "the worker to wait for Redis"
    )
    assert worker.poll() is None  # waiting, not gone

    redis_server.start()

    wait_for(lambda: _statuses(session) == {MessageStatus.SUCCEEDED: 5}, 60, "the jobs to run")
    assert worker.poll() is None
