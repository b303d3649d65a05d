"""Outbound webhooks reach a real HTTP server on loopback, signed, retried, logged, and
only where they may go."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from flask import Flask
from pytest_httpserver import HTTPServer
from sqlalchemy.orm import Session

from bench.inprocess import counted_statements
from returns_service.notifications.webhooks import verify
from returns_service.outbox import MessageStatus, OutboxMessage
from returns_service.worker import work_burst
from tests.notifications.outbound import (
    DATA,
    SECRET,
    Override,
    add_endpoint,
    queue_event,
    recorded_deliveries,
)

# -- deliveries ---------------------------------------------------------------------------


def test_delivery_is_signed_json_with_a_stable_id(
    app: Flask, session: Session, httpserver: HTTPServer
) -> None:
    add_endpoint(session, httpserver.url_for("/hook"))
    httpserver.expect_oneshot_request("/hook", method="POST").respond_with_data("", status=204)
    [message] = queue_event(session)
    assert message.payload["delivery_id"] == message.id

    work_burst(app)

    httpserver.check_assertions()
    [(request, _)] = httpserver.log
    body = request.get_data()
    headers = request.headers
    assert verify(SECRET, headers["X-Returns-Signature"], body)
    assert not verify("not-the-secret", headers["X-Returns-Signature"], body)
    assert headers["X-Returns-Signature"].startswith(f"t={headers['X-Returns-Timestamp']},v1=")
    assert headers["X-Returns-Delivery"] == message.id
    assert headers["X-Returns-Event"] == "return.approved"
    assert headers["Content-Type"].startswith("application/json")
    document = json.loads(body)
    assert document == {
        "id": message.id,
        "event": "return.approved",
        "created_at": message.payload["created_at"],
        "data": DATA,
    }
    [delivery] = recorded_deliveries(session)
    assert delivery.status_code == 204 and delivery.error is None
    assert delivery.outbox_message_id == message.id and delivery.duration_ms >= 0
    assert session.get(OutboxMessage, message.id).status is MessageStatus.SUCCEEDED


def test_a_delivery_is_logged_with_the_flush_plain_writes(
    app: Flask, session: Session, httpserver: HTTPServer
) -> None:
    add_endpoint(session, httpserver.url_for("/hook"))
    httpserver.expect_oneshot_request("/hook", method="POST").respond_with_data("", status=204)
    queue_event(session)

    with counted_statements(app) as sent:
        work_burst(app)

    [logged] = [s for s in sent if "INSERT INTO webhook_deliveries" in s]
    # Not through the unit of work, which would read the new row's id back.
    assert "RETURNING" not in logged, logged
    assert [d.status_code for d in recorded_deliveries(session)] == [204]


def test_a_5xx_is_retried_and_delivered_once(
    app: Flask, session: Session, httpserver: HTTPServer
) -> None:
    add_endpoint(session, httpserver.url_for("/hook"))
    hook = httpserver.expect_ordered_request
    hook("/hook", method="POST").respond_with_data("upstream down", status=500)
    hook("/hook", method="POST").respond_with_data("ok", status=200)
    [message] = queue_event(session)

    work_burst(app)

    httpserver.check_assertions()
    assert [r.headers["X-Returns-Delivery"] for r, _ in httpserver.log] == [message.id] * 2
    bodies = [json.loads(r.get_data()) for r, _ in httpserver.log]
    assert bodies[0] == bodies[1]  # the same delivery, byte for byte apart from the signature
    first, second = recorded_deliveries(session)
    assert first.status_code == 500 and "HTTP 500: upstream down" in first.error
    assert second.status_code == 200 and second.error is None
    session.expire_all()
    stored = session.get(OutboxMessage, message.id)
    assert stored.status is MessageStatus.SUCCEEDED and stored.attempts == 2


def test_a_gone_endpoint_fails_the_delivery_at_once(
    app: Flask, session: Session, httpserver: HTTPServer
) -> None:
    add_endpoint(session, httpserver.url_for("/hook"))
    httpserver.expect_request("/hook", method="POST").respond_with_data("gone", status=410)
    [message] = queue_event(session)

    work_burst(app)

    assert len(httpserver.log) == 1
    [delivery] = recorded_deliveries(session)
    assert delivery.status_code == 410 and "410" in delivery.error
    stored = session.get(OutboxMessage, message.id)
    assert stored.status is MessageStatus.FAILED and stored.attempts == 1
    assert "HTTP 410" in stored.last_error


def test_a_busy_receiver_is_retried_past_the_retry_count_for_a_day(
    app: Flask, session: Session, httpserver: HTTPServer, override_config: Override
) -> None:
    add_endpoint(session, httpserver.url_for("/hook"))
    hook = httpserver.expect_ordered_request
    for _ in range(3):
        hook("/hook", method="POST").respond_with_data("slow down", status=429)
    hook("/hook", method="POST").respond_with_data("ok")
    [message] = queue_event(session, hours_ago=23)

    with override_config(JOB_RETRIES=1):
        work_burst(app)

    assert [d.status_code for d in recorded_deliveries(session)] == [429, 429, 429, 200]
    stored = session.get(OutboxMessage, message.id)
    assert stored.status is MessageStatus.SUCCEEDED and stored.attempts == 4


def test_a_delivery_still_failing_a_day_after_its_event_fails_for_good(
    app: Flask, session: Session, httpserver: HTTPServer
) -> None:
    add_endpoint(session, httpserver.url_for("/hook"))
    httpserver.expect_request("/hook", method="POST").respond_with_data("down", status=503)
    [message] = queue_event(session, hours_ago=24.1)

    work_burst(app)

    assert [d.status_code for d in recorded_deliveries(session)] == [503]
    stored = session.get(OutboxMessage, message.id)
    assert stored.status is MessageStatus.FAILED and stored.attempts == 1


def test_retries_wait_longer_each_time_up_to_an_hour(
    app: Flask, session: Session, override_config: Override, unused_port: Callable[[], int]
) -> None:
    add_endpoint(session, f"http://127.0.0.1:{unused_port()}/hook")
    [message] = queue_event(session)

    # Long enough that no pause of a busy machine makes the retry due within the burst.
    with override_config(JOB_BACKOFF=600.0):
        work_burst(app)

    [delivery] = recorded_deliveries(session)
    assert delivery.status_code is None and "could not reach" in delivery.error
    stored = session.get(OutboxMessage, message.id)
    assert stored.status is MessageStatus.PENDING and stored.attempts == 1
    assert 599 <= (stored.run_after - delivery.attempted_at).total_seconds() <= 601


def test_only_active_subscribed_endpoints_receive_an_event(
    app: Flask, session: Session, httpserver: HTTPServer
) -> None:
    add_endpoint(session, httpserver.url_for("/refunds-only"), events=["refund.issued"])
    add_endpoint(session, httpserver.url_for("/everything"))
    add_endpoint(session, httpserver.url_for("/switched-off"), active=False)
    add_endpoint(session, httpserver.url_for("/approvals"), events=["return.approved"])
    httpserver.expect_request("/everything", method="POST").respond_with_data("ok")
    httpserver.expect_request("/approvals", method="POST").respond_with_data("ok")

    messages = queue_event(session, "return.approved")
    work_burst(app)

    assert len(messages) == 2
    assert sorted(r.path for r, _ in httpserver.log) == ["/approvals", "/everything"]
    assert len({r.headers["X-Returns-Delivery"] for r, _ in httpserver.log}) == 2


def test_an_endpoint_switched_off_after_queueing_gets_nothing(
    app: Flask, session: Session, httpserver: HTTPServer
) -> None:
    endpoint = add_endpoint(session, httpserver.url_for("/hook"))
    [message] = queue_event(session)
    endpoint.active = False
    session.commit()

    work_burst(app)

    assert httpserver.log == []
    assert recorded_deliveries(session) == []
    assert session.get(OutboxMessage, message.id).status is MessageStatus.SUCCEEDED


def test_an_endpoint_unsubscribed_from_the_event_after_queueing_gets_nothing(
    app: Flask, session: Session, httpserver: HTTPServer
) -> None:
    endpoint = add_endpoint(session, httpserver.url_for("/hook"), events=["return.approved"])
    [message] = queue_event(session, "return.approved")
    endpoint.events = ["refund.issued"]
    session.commit()

    work_burst(app)

    assert httpserver.log == []
    assert recorded_deliveries(session) == []
    assert session.get(OutboxMessage, message.id).status is MessageStatus.SUCCEEDED


# -- where deliveries may go ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1:{port}/hook",
        "https://localhost:{port}/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.5/hook",
        "https://[::1]:{port}/hook",
        "https://224.0.0.1/hook",
        "http://erp.example.com/hook",
    ],
)
def test_a_delivery_to_an_inner_address_is_refused_before_connecting(
    app: Flask, session: Session, httpserver: HTTPServer, override_config: Override, url: str
) -> None:
    # Saved before the rules existed (or straight in the database): checked again on delivery.
    add_endpoint(session, url.format(port=httpserver.port))
    httpserver.expect_request("/hook").respond_with_data("secret internal answer")
    [message] = queue_event(session)

    with override_config(WEBHOOK_HTTP_HOSTS=""):
        work_burst(app)

    assert httpserver.log == []
    [delivery] = recorded_deliveries(session)
    assert delivery.status_code is None and "refused to send" in delivery.error
    stored = session.get(OutboxMessage, message.id)
    assert stored.status is MessageStatus.FAILED and stored.attempts == 1


def test_a_redirect_is_not_followed(app: Flask, session: Session, httpserver: HTTPServer) -> None:
    add_endpoint(session, httpserver.url_for("/hook"))
    httpserver.expect_request("/hook").respond_with_data(
        "", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}
    )
    [message] = queue_event(session)

    work_burst(app)

    assert [r.path for r, _ in httpserver.log] == ["/hook"]
    session.expire_all()
    assert session.get(OutboxMessage, message.id).status is MessageStatus.FAILED


def test_only_a_short_printable_excerpt_of_an_answer_is_kept(
    app: Flask, session: Session, httpserver: HTTPServer
) -> None:
    add_endpoint(session, httpserver.url_for("/hook"))
    answer = "private\x00\x1b[31m\r\n" + "x" * 100_000
    httpserver.expect_request("/hook").respond_with_data(answer, status=400)
    [message] = queue_event(session)

    work_burst(app)

    [delivery] = recorded_deliveries(session)
    excerpt = delivery.error.split("answered HTTP 400: ", 1)[1]
    assert excerpt.startswith("private") and len(excerpt) == 200
    assert excerpt.isprintable()
    stored = session.get(OutboxMessage, message.id)
    assert excerpt in stored.last_error and len(stored.last_error) < 400
