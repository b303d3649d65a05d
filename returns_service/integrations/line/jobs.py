"""Jobs of LINE: a customer message pushed with the e-mail's words, webhook replies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from returns_service.errors import PermanentJobError
from returns_service.events import record_event
from returns_service.integrations.errors import IntegrationError
from returns_service.integrations.line import mapping
from returns_service.integrations.line.client import Line
from returns_service.notifications.email import render_email
from returns_service.shop import ShopSettings


def _send(call: Any) -> None:
    try:
        call()
    except IntegrationError as exc:
        if exc.status_code == 409:
            return  # LINE already accepted a request with this retry key
        if exc.transient:
            raise
        raise PermanentJobError(str(exc)) from exc


def push_line_message(
    session: Session,
    now: datetime,
    settings: ShopSettings,
    *,
    message_id: str,
    line_user_id: str,
    kind: str,
    locale: str,
    context: dict[str, Any],
    subject_type: str,
    subject_id: int,
    to: str = "",
) -> None:
    """Push the message an e-mail of this kind would carry, in the customer's language.

    The retry key is derived from the outbox id, so LINE delivers it once however often
    the job runs.
    """
    try:
        rendered = render_email(kind, locale, context, settings)
    except ValueError as exc:
        raise PermanentJobError(str(exc)) from exc
    line = Line.from_config(settings.config)
    text = f"{rendered.subject}\n\n{rendered.body}".strip()
    _send(lambda: line.push(line_user_id, [text], mapping.retry_key(message_id)))
    record_event(
        session,
        subject_type=subject_type,
        subject_id=subject_id,
        kind="line.message_sent",
        actor="system",
        now=now,
        message_kind=kind,
    )


def line_reply(
    session: Session, now: datetime, settings: ShopSettings, reply_token: str, texts: list[str]
) -> None:
    """Answer a webhook event (follow, a link code, the status keyword)."""
    line = Line.from_config(settings.config)
    _send(lambda: line.reply(reply_token, texts))
