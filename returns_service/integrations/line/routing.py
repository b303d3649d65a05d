"""Customer messages to linked LINE accounts: instead of the e-mail, or beside it.

A ``before_flush`` listener (registered in ``create_app``) looks at the ``send_email`` rows
of the flush: for a customer who chose LINE the row becomes a LINE push with the same kind,
language and context, so the message says the same; for one who chose both, a LINE push is
added beside it. The e-mail code stays unaware of LINE.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from returns_service.integrations.line.models import Channel
from returns_service.integrations.line.operations import recipient
from returns_service.models import utcnow
from returns_service.outbox import OutboxMessage, record
from returns_service.shop import EXTENSION_KEY

PUSH_JOB = "push_line_message"


def route_customer_messages(session: Session, flush_context: Any, instances: Any) -> None:
    """``before_flush``: send new customer e-mails of linked customers to LINE too (or only)."""
    settings = session.info.get(EXTENSION_KEY)  # put there by the app factory
    if settings is None or not settings.config["LINE_CHANNEL_SECRET"]:
        return
    emails = [
        item
        for item in session.new
        if isinstance(item, OutboxMessage) and item.job == "send_email" and "to" in item.payload
    ]
    for message in emails:
        with session.no_autoflush:
            account = recipient(session, message.payload["to"])
        if account is None:
            continue
        payload = {**message.payload, "line_user_id": account.line_user_id}
        if account.channel is Channel.LINE:
            message.job = PUSH_JOB
            message.payload = payload
        else:
            copy = record(session, PUSH_JOB, utcnow(), **payload)
            copy.payload = {**payload, "message_id": copy.id}
