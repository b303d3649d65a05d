"""Jobs that send customer e-mail and outbound webhooks, one outbox message each."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from returns_service.notifications.email import deliver_email
from returns_service.notifications.outbound import allowed_http_hosts
from returns_service.notifications.webhook_failures import delivery_gave_up
from returns_service.notifications.webhooks import deliver_webhook
from returns_service.shop import ShopSettings


def send_email(
    session: Session,
    now: datetime,
    settings: ShopSettings,
    *,
    message_id: str,
    kind: str,
    to: str,
    locale: str,
    context: dict[str, Any],
    subject_type: str,
    subject_id: int,
) -> None:
    """Send one queued e-mail; a message already sent (per its outbox id) is not sent again."""
    deliver_email(
        session,
        now,
        settings,
        message_id=message_id,
        kind=kind,
        to=to,
        locale=locale,
        context=context,
        subject_type=subject_type,
        subject_id=subject_id,
    )


def send_webhook(
    session: Session,
    now: datetime,
    settings: ShopSettings,
    *,
    delivery_id: str,
    endpoint_id: int,
    event: str,
    data: Any,
    created_at: str,
    resent_at: str | None = None,
) -> None:
    """Deliver one event to one endpoint; failures are logged, then retried or failed."""
    deliver_webhook(
        session,
        now,
        delivery_id=delivery_id,
        endpoint_id=endpoint_id,
        event=event,
        data=data,
        created_at=created_at,
        http_hosts=allowed_http_hosts(settings.config["WEBHOOK_HTTP_HOSTS"]),
        resent_at=resent_at,
    )


def webhook_gave_up(session: Session, now: datetime, error: str, **payload: Any) -> None:
    """A delivery failed for good: switch its endpoint off if it has failed for a day."""
    delivery_gave_up(session, now, error, endpoint_id=payload["endpoint_id"])
