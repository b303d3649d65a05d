"""Rows the admin pages show: a job that gave up, a webhook endpoint with a failed delivery."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.orm import Session

from returns_service.models import utcnow
from returns_service.notifications.models import WebhookEndpoint
from returns_service.outbox import MessageStatus, OutboxMessage


def failed_job(session: Session, job: str, error: str, **payload: object) -> OutboxMessage:
    """A job that used up its retries an hour ago, with its last error."""
    ended = utcnow() - timedelta(hours=1)
    message = OutboxMessage(
        id=uuid.uuid4().hex,
        job=job,
        payload=payload,
        status=MessageStatus.FAILED,
        attempts=5,
        last_error=error,
        created_at=ended - timedelta(hours=1),
        run_after=ended,
        finished_at=ended,
    )
    session.add(message)
    session.commit()
    return message


def endpoint_with_failure(session: Session, url: str, *, active: bool = True) -> WebhookEndpoint:
    """A webhook endpoint with one delivery that gave up."""
    endpoint = WebhookEndpoint(
        url=url, secret="whsec-never-shown", events=["return.approved"], active=active
    )
    session.add(endpoint)
    session.commit()
    failed_job(
        session,
        "send_webhook",
        "HTTP 503 from the receiver",
        endpoint_id=endpoint.id,
        event="return.approved",
        data={"rma": "R-1"},
        created_at=utcnow().isoformat(),
    )
    return endpoint
