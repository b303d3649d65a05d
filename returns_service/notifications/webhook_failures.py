"""Deliveries that failed for good: switching off an endpoint that has failed for a day, and
re-sending failed deliveries once an admin says the receiver is back."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from returns_service.auth.models import Role, StaffUser
from returns_service.notifications.email import queue_email
from returns_service.notifications.models import WebhookDelivery, WebhookEndpoint
from returns_service.notifications.webhooks import RETRY_WINDOW
from returns_service.outbox import MessageStatus, OutboxMessage, retry_failed

log = logging.getLogger(__name__)


def delivery_gave_up(session: Session, now: datetime, error: str, *, endpoint_id: int) -> bool:
    """Switch the endpoint off, telling every admin, if nothing reached it for a whole day.

    Returns whether it was switched off. One delivery refused for good (a 410, say) does not
    switch it off while others get through.
    """
    endpoint = session.get(WebhookEndpoint, endpoint_id, with_for_update=True)
    if endpoint is None or not endpoint.active:
        return False
    attempts = select(WebhookDelivery.attempted_at).where(
        WebhookDelivery.endpoint_id == endpoint.id
    )
    last_success = session.scalar(
        attempts.where(WebhookDelivery.error.is_(None)).order_by(
            WebhookDelivery.attempted_at.desc()
        )
    )
    failures = attempts.where(WebhookDelivery.error.is_not(None))
    if last_success is not None:
        failures = failures.where(WebhookDelivery.attempted_at > last_success)
    failing_since = session.scalar(failures.order_by(WebhookDelivery.attempted_at))
    if failing_since is None or failing_since > now - RETRY_WINDOW:
        return False
    endpoint.active = False
    log.warning("webhook endpoint %s switched off: failing since %s", endpoint.id, failing_since)
    admins = session.scalars(
        select(StaffUser).where(StaffUser.role == Role.ADMIN, StaffUser.active.is_(True))
    )
    for admin in admins:
        queue_email(
            session,
            now,
            kind="webhook_endpoint_disabled",
            to=admin.email,
            locale=admin.locale,
            context={
                "customer_name": admin.name or admin.email,
                "endpoint_url": endpoint.url,
                "endpoint_id": endpoint.id,
                "since": failing_since.isoformat(),
                "last_error": error[:300],
            },
            subject_type="webhook_endpoint",
            subject_id=endpoint.id,
        )
    return True


def resend_failed(session: Session, now: datetime, endpoint: WebhookEndpoint) -> list[str]:
    """Put an endpoint's failed deliveries back in line, oldest first; their delivery ids.

    Each keeps its id, so a receiver that got one after all can drop the repeat, and gets a
    new day of retries from now.
    """
    failed = session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.job == "send_webhook",
            OutboxMessage.status == MessageStatus.FAILED,
            OutboxMessage.payload["endpoint_id"].as_integer() == endpoint.id,
        )
        .order_by(OutboxMessage.created_at)
        .with_for_update()
    )
    resent = []
    for message in failed:
        message.payload = {**message.payload, "resent_at": now.isoformat()}
        retry_failed(session, message.id, now)
        resent.append(message.id)
    return resent


def failed_deliveries(session: Session, limit: int = 200) -> dict[int, list[OutboxMessage]]:
    """Deliveries that gave up and wait to be re-sent, per endpoint, newest first.

    Only failed rows are read; ``limit`` caps the rows of an endpoint that has failed long.
    """
    endpoint_id = OutboxMessage.payload["endpoint_id"].as_integer()
    numbered = (
        select(
            OutboxMessage.id,
            func.row_number()
            .over(partition_by=endpoint_id, order_by=OutboxMessage.finished_at.desc())
            .label("n"),
        )
        .where(OutboxMessage.job == "send_webhook", OutboxMessage.status == MessageStatus.FAILED)
        .subquery()
    )
    found: dict[int, list[OutboxMessage]] = {}
    query = (
        select(OutboxMessage)
        .join(numbered, numbered.c.id == OutboxMessage.id)
        .where(numbered.c.n <= limit)
        .order_by(OutboxMessage.finished_at.desc())
    )
    for message in session.scalars(query):
        found.setdefault(int(message.payload["endpoint_id"]), []).append(message)
    return found
