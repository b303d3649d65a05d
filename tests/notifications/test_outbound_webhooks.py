"""Outbound webhooks reach a real HTTP server on loopback, signed, retried, logged."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.auth.models import Role
from returns_service.models import utcnow
from returns_service.notifications.models import WebhookDelivery, WebhookEndpoint
from returns_service.notifications.webhooks import queue_webhook, sign, verify
from returns_service.outbox import MessageStatus, OutboxMessage
from returns_service.worker import work_burst
from tests.shop import add_staff

Override = Callable[..., AbstractContextManager[None]]
SECRET = "endpoint-secret-0123456789"
DATA = {"rma": "RMA-10042", "order_number": "#1042", "customer_name": "山田 花子"}


def _endpoint(
    session: Session, url: str, events: list[str] | None = None, active: bool = True
) -> WebhookEndpoint:
    endpoint = WebhookEndpoint(
        url=url, secret=SECRET, events=events or [], active=active, created_at=utcnow()
    )
    session.add(endpoint)
    session.commit()
    return endpoint


def _queue(
    session: Session, event: str = "return.approved", hours_ago: float = 0
) -> list[OutboxMessage]:
    messages = queue_webhook(session, utcnow() - timedelta(hours=hours_ago), event, DATA)
    session.commit()
    return messages


def _deliveries(session: Session) -> list[WebhookDelivery]:
    session.expire_all()
    return list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


# -- signatures ---------------------------------------------------------------------------


def test_sign_is_hmac_sha256_of_timestamp_dot_body() -> None:
    body = b'{"id":"d1"}'
    expected = hmac.new(b"whsec", b'1700000000.{"id":"d1"}', hashlib.sha256).hexdigest()

    assert sign("whsec", 1700000000, body) == f"t=1700000000,v1={expected}"


def test_verify_accepts_a_fresh_matching_signature_only() -> None:
    body = '{"event":"return.approved","data":{"name":"花子"}}'.encode()
    header = sign(SECRET, 1700000000, body)

    assert verify(SECRET, header, body, now=1700000000 + 299)
    assert verify(SECRET, header, body, now=datetime.fromtimestamp(1700000000, UTC))
    assert not verify(SECRET, header, body + b" ", now=1700000000)
    assert not verify("another-secret", header, body, now=1700000000)
    assert not verify(SECRET, header, body, now=1700000000 + 301)
    assert not verify(SECRET, header, body, tolerance=10, now=1700000000 - 11)


@pytest.mark.parametrize(
    "header", [None, "", "garbage", "t=abc,v1=00", "v1=00", "t=1700000000", "t=1700000000,v0=00"]
)
def test_verify_refuses_malformed_headers(header: str | None) -> None:
    assert not verify(SECRET, header, b"{}", now=1700000000)


def test_verify_accepts_any_of_several_signatures() -> None:
    body = b"{}"
    good = sign(SECRET, 1700000000, body).split(",")[1]
    old = sign("old-secret", 1700000000, body).split(",")[1]

    assert verify(SECRET, f"t=1700000000,{old},{good}", body, now=1700000000)


@pytest.mark.parametrize("event", ["Return.Approved", "return", "return.approved.x", "a.b-c"])
def test_event_names_are_checked(event: str) -> None:
    with pytest.raises(ValueError, match="is not an event name"):
        queue_webhook(None, utcnow(), event, {})  # type: ignore[arg-type]


# -- deliveries ---------------------------------------------------------------------------


def test_delivery_is_signed_json_with_a_stable_id(
    app: Flask, session: Session, httpserver: HTTPServer
) -> None:
    _endpoint(session, httpserver.url_for("/hook"))
    httpserver.expect_oneshot_request("/hook", method="POST").respond_with_data("", status=204)
    [message] = _queue(session)
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
    [delivery] = _deliveries(session)
    assert delivery.status_code == 204 and delivery.error is None
    assert delivery.outbox_message_id == message.id and delivery.duration_ms >= 0
    assert session.get(OutboxMessage, message.id).status is MessageStatus.SUCCEEDED


def test_a_5xx_is_retried_and_delivered_once(
    app: Flask, session: Session, httpserver: HTTPServer
) -> None:
    _endpoint(session, httpserver.url_for("/hook"))
    hook = httpserver.expect_ordered_request
    hook("/hook", method="POST").respond_with_data("upstream down", status=500)
    hook("/hook", method="POST").respond_with_data("ok", status=200)
    [message] = _queue(session)

    work_burst(app)

    httpserver.check_assertions()
    assert [r.headers["X-Returns-Delivery"] for r, _ in httpserver.log] == [message.id] * 2
    bodies = [json.loads(r.get_data()) for r, _ in httpserver.log]
    assert bodies[0] == bodies[1]  # the same delivery, byte for byte apart from the signature
    first, second = _deliveries(session)
    assert first.status_code == 500 and "HTTP 500: upstream down" in first.error
    assert second.status_code == 200 and second.error is None
    session.expire_all()
    stored = session.get(OutboxMessage, message.id)
    assert stored.status is MessageStatus.SUCCEEDED and stored.attempts == 2


def test_a_gone_endpoint_fails_the_delivery_at_once(
    app: Flask, session: Session, httpserver: HTTPServer
) -> None:
    _endpoint(session, httpserver.url_for("/hook"))
    httpserver.expect_request("/hook", method="POST").respond_with_data("gone", status=410)
    [message] = _queue(session)

    work_burst(app)

    assert len(httpserver.log) == 1
    [delivery] = _deliveries(session)
    assert delivery.status_code == 410 and "410" in delivery.error
    stored = session.get(OutboxMessage, message.id)
    assert stored.status is MessageStatus.FAILED and stored.attempts == 1
    assert "HTTP 410" in stored.last_error


def test_a_busy_receiver_is_retried_past_the_retry_count_for_a_day(
    app: Flask, session: Session, httpserver: HTTPServer, override_config: Override
) -> None:
    _endpoint(session, httpserver.url_for("/hook"))
    hook = httpserver.expect_ordered_request
    for _ in range(3):
        hook("/hook", method="POST").respond_with_data("slow down", status=429)
    hook("/hook", method="POST").respond_with_data("ok")
    [message] = _queue(session, hours_ago=23)

    with override_config(JOB_RETRIES=1):
        work_burst(app)

    assert [d.status_code for d in _deliveries(session)] == [429, 429, 429, 200]
    stored = session.get(OutboxMessage, message.id)
    assert stored.status is MessageStatus.SUCCEEDED and stored.attempts == 4


def test_a_delivery_still_failing_a_day_after_its_event_fails_for_good(
    app: Flask, session: Session, httpserver: HTTPServer
) -> None:
    _endpoint(session, httpserver.url_for("/hook"))
    httpserver.expect_request("/hook", method="POST").respond_with_data("down", status=503)
    [message] = _queue(session, hours_ago=24.1)

    work_burst(app)

    assert [d.status_code for d in _deliveries(session)] == [503]
    stored = session.get(OutboxMessage, message.id)
    assert stored.status is MessageStatus.FAILED and stored.attempts == 1


def test_retries_wait_longer_each_time_up_to_an_hour(
    app: Flask, session: Session, override_config: Override, unused_port: Callable[[], int]
) -> None:
    _endpoint(session, f"http://127.0.0.1:{unused_port()}/hook")
    [message] = _queue(session)

    with override_config(JOB_BACKOFF=10.0):
        work_burst(app)

    [delivery] = _deliveries(session)
    assert delivery.status_code is None and "could not reach" in delivery.error
    stored = session.get(OutboxMessage, message.id)
    assert stored.status is MessageStatus.PENDING and stored.attempts == 1
    assert 9 <= (stored.run_after - delivery.attempted_at).total_seconds() <= 11


def test_only_active_subscribed_endpoints_receive_an_event(
    app: Flask, session: Session, httpserver: HTTPServer
) -> None:
    _endpoint(session, httpserver.url_for("/refunds-only"), events=["refund.issued"])
    _endpoint(session, httpserver.url_for("/everything"))
    _endpoint(session, httpserver.url_for("/switched-off"), active=False)
    _endpoint(session, httpserver.url_for("/approvals"), events=["return.approved"])
    httpserver.expect_request("/everything", method="POST").respond_with_data("ok")
    httpserver.expect_request("/approvals", method="POST").respond_with_data("ok")

    messages = _queue(session, "return.approved")
    work_burst(app)

    assert len(messages) == 2
    assert sorted(r.path for r, _ in httpserver.log) == ["/approvals", "/everything"]
    assert len({r.headers["X-Returns-Delivery"] for r, _ in httpserver.log}) == 2


def test_an_endpoint_switched_off_after_queueing_gets_nothing(
    app: Flask, session: Session, httpserver: HTTPServer
) -> None:
    endpoint = _endpoint(session, httpserver.url_for("/hook"))
    [message] = _queue(session)
    endpoint.active = False
    session.commit()

    work_burst(app)

    assert httpserver.log == []
    assert _deliveries(session) == []
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
    _endpoint(session, url.format(port=httpserver.port))
    httpserver.expect_request("/hook").respond_with_data("secret internal answer")
    [message] = _queue(session)

    with override_config(WEBHOOK_HTTP_HOSTS=""):
        work_burst(app)

    assert httpserver.log == []
    [delivery] = _deliveries(session)
    assert delivery.status_code is None and "refused to send" in delivery.error
    stored = session.get(OutboxMessage, message.id)
    assert stored.status is MessageStatus.FAILED and stored.attempts == 1


def test_a_redirect_is_not_followed(app: Flask, session: Session, httpserver: HTTPServer) -> None:
    _endpoint(session, httpserver.url_for("/hook"))
    httpserver.expect_request("/hook").respond_with_data(
        "", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}
    )
    [message] = _queue(session)

    work_burst(app)

    assert [r.path for r, _ in httpserver.log] == ["/hook"]
    session.expire_all()
    assert session.get(OutboxMessage, message.id).status is MessageStatus.FAILED


def test_only_a_short_printable_excerpt_of_an_answer_is_kept(
    app: Flask, session: Session, httpserver: HTTPServer
) -> None:
    _endpoint(session, httpserver.url_for("/hook"))
    answer = "private\x00\x1b[31m\r\n" + "x" * 100_000
    httpserver.expect_request("/hook").respond_with_data(answer, status=400)
    [message] = _queue(session)

    work_burst(app)

    [delivery] = _deliveries(session)
    excerpt = delivery.error.split("answered HTTP 400: ", 1)[1]
    assert excerpt.startswith("private") and len(excerpt) == 200
    assert excerpt.isprintable()
    stored = session.get(OutboxMessage, message.id)
    assert excerpt in stored.last_error and len(stored.last_error) < 400


# -- a receiver down for a day ------------------------------------------------------------


def _attempt(session: Session, endpoint: WebhookEndpoint, hours_ago: float, ok: bool) -> None:
    session.add(
        WebhookDelivery(
            outbox_message_id="earlier",
            endpoint_id=endpoint.id,
            event="return.approved",
            status_code=200 if ok else 503,
            attempted_at=utcnow() - timedelta(hours=hours_ago),
            duration_ms=5,
            error=None if ok else "answered HTTP 503",
        )
    )
    session.commit()


def _admin_mail(session: Session) -> list[OutboxMessage]:
    session.expire_all()
    return list(
        session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.job == "send_email",
                OutboxMessage.payload["kind"].as_string() == "webhook_endpoint_disabled",
            )
        )
    )


def test_an_endpoint_failing_for_a_day_is_switched_off_and_admins_are_told(
    app: Flask, session: Session, httpserver: HTTPServer
) -> None:
    add_staff(session, "owner@shop.test", Role.ADMIN)
    add_staff(session, "agent@shop.test", Role.AGENT)
    endpoint = _endpoint(session, httpserver.url_for("/hook"))
    _attempt(session, endpoint, hours_ago=30, ok=True)
    _attempt(session, endpoint, hours_ago=25, ok=False)
    httpserver.expect_request("/hook", method="POST").respond_with_data("down", status=503)
    _queue(session, hours_ago=24.5)

    work_burst(app)

    session.expire_all()
    assert session.get(WebhookEndpoint, endpoint.id).active is False
    [mail] = _admin_mail(session)
    assert mail.payload["to"] == "owner@shop.test"
    assert mail.payload["context"]["endpoint_url"] == endpoint.url


def test_an_endpoint_that_took_a_delivery_today_stays_on(
    app: Flask, session: Session, httpserver: HTTPServer
) -> None:
    add_staff(session, "owner@shop.test", Role.ADMIN)
    endpoint = _endpoint(session, httpserver.url_for("/hook"))
    _attempt(session, endpoint, hours_ago=25, ok=False)
    _attempt(session, endpoint, hours_ago=2, ok=True)
    httpserver.expect_request("/hook", method="POST").respond_with_data("down", status=503)
    [message] = _queue(session, hours_ago=24.5)

    work_burst(app)

    session.expire_all()
    assert session.get(OutboxMessage, message.id).status is MessageStatus.FAILED
    assert session.get(WebhookEndpoint, endpoint.id).active is True
    assert _admin_mail(session) == []


def test_admins_resend_failed_deliveries_with_their_ids(
    app: Flask,
    session: Session,
    httpserver: HTTPServer,
    token_for: Callable[[Role], dict[str, str]],
) -> None:
    endpoint = _endpoint(session, httpserver.url_for("/hook"))
    httpserver.expect_oneshot_request("/hook").respond_with_data("down", status=503)
    [message] = _queue(session, hours_ago=25)
    work_burst(app)
    session.expire_all()
    assert session.get(OutboxMessage, message.id).status is MessageStatus.FAILED
    httpserver.expect_request("/hook").respond_with_data("ok")
    client = app.test_client()
    url = f"/api/v1/webhooks/endpoints/{endpoint.id}/deliveries/resend"

    answer = client.post(url, headers=token_for(Role.ADMIN))
    work_burst(app)

    assert answer.status_code == 202 and answer.get_json() == {"resent": [message.id]}
    assert [r.headers["X-Returns-Delivery"] for r, _ in httpserver.log] == [message.id] * 2
    session.expire_all()
    assert session.get(OutboxMessage, message.id).status is MessageStatus.SUCCEEDED
    assert client.post(url, headers=token_for(Role.AGENT)).status_code == 403


def test_resending_to_a_switched_off_endpoint_is_refused(
    app: Flask, session: Session, token_for: Callable[[Role], dict[str, str]]
) -> None:
    endpoint = _endpoint(session, "https://erp.example.com/hooks", active=False)

    answer = app.test_client().post(
        f"/api/v1/webhooks/endpoints/{endpoint.id}/deliveries/resend",
        headers=token_for(Role.ADMIN),
    )

    assert answer.status_code == 409
