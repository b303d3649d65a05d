"""What the outbound webhook tests share: an endpoint's secret, an event's data, and
helpers to add endpoints, queue events and read the recorded deliveries."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.models import utcnow
from returns_service.notifications.models import WebhookDelivery, WebhookEndpoint
from returns_service.notifications.webhooks import queue_webhook
from returns_service.outbox import OutboxMessage

Override = Callable[..., AbstractContextManager[None]]
SECRET = "endpoint-secret-0123456789"
DATA = {"rma": "RMA-10042", "order_number": "#1042", "customer_name": "山田 花子"}


def add_endpoint(
    session: Session, url: str, events: list[str] | None = None, active: bool = True
) -> WebhookEndpoint:
    """A webhook endpoint, saved, as an admin would add it."""
    endpoint = WebhookEndpoint(
        url=url, secret=SECRET, events=events or [], active=active, created_at=utcnow()
    )
    session.add(endpoint)
    session.commit()
    return endpoint


def queue_event(
    session: Session, event: str = "return.approved", hours_ago: float = 0
) -> list[OutboxMessage]:
    """Queue ``event`` with ``DATA`` as of ``hours_ago``: one message per endpoint."""
    messages = queue_webhook(session, utcnow() - timedelta(hours=hours_ago), event, DATA)
    session.commit()
    return messages


def recorded_deliveries(session: Session) -> list[WebhookDelivery]:
    """Every delivery attempt logged so far, oldest first."""
    session.expire_all()
    return list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))
