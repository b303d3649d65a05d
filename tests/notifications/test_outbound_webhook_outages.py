"""A receiver down for a day: its endpoint is switched off, admins are told, and failed
deliveries can be resent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.auth.models import Role
from returns_service.models import utcnow
from returns_service.notifications.models import WebhookDelivery, WebhookEndpoint
from returns_service.outbox import MessageStatus, OutboxMessage
from returns_service.worker import work_burst
from tests.notifications.outbound import add_endpoint, queue_event
from tests.shop import add_staff


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
    endpoint = add_endpoint(session, httpserver.url_for("/hook"))
    _attempt(session, endpoint, hours_ago=30, ok=True)
    _attempt(session, endpoint, hours_ago=25, ok=False)
    httpserver.expect_request("/hook", method="POST").respond_with_data("down", status=503)
    queue_event(session, hours_ago=24.5)

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
    endpoint = add_endpoint(session, httpserver.url_for("/hook"))
    _attempt(session, endpoint, hours_ago=25, ok=False)
    _attempt(session, endpoint, hours_ago=2, ok=True)
    httpserver.expect_request("/hook", method="POST").respond_with_data("down", status=503)
    [message] = queue_event(session, hours_ago=24.5)

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
    endpoint = add_endpoint(session, httpserver.url_for("/hook"))
    httpserver.expect_oneshot_request("/hook").respond_with_data("down", status=503)
    [message] = queue_event(session, hours_ago=25)
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
    endpoint = add_endpoint(session, "https://erp.example.com/hooks", active=False)

    answer = app.test_client().post(
        f"/api/v1/webhooks/endpoints/{endpoint.id}/deliveries/resend",
        headers=token_for(Role.ADMIN),
    )

    assert answer.status_code == 409
