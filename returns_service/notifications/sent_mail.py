"""The e-mail kept where no SMTP server is configured, read back with a filter."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.notifications.models import SentEmail

#: A store-credit code (``SC-`` and hex digits) is money to whoever reads it.
_CREDIT_CODE = re.compile(r"\bSC-([0-9A-Z]+)([0-9A-Z]{2})\b")


def mask_credit_codes(text: str) -> str:
    """The text with every store-credit code hidden but for its last two characters."""
    return _CREDIT_CODE.sub(lambda m: "SC-" + "*" * len(m.group(1)) + m.group(2), text)


def _contains(text: str) -> str:
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def sent_mail(
    session: Session, *, recipient: str = "", subject: str = "", kind: str = "", limit: int = 100
) -> list[SentEmail]:
    """The newest e-mails whose recipient and subject contain the words given, of a kind."""
    query = select(SentEmail).order_by(SentEmail.sent_at.desc(), SentEmail.id.desc())
    if recipient.strip():
        query = query.where(SentEmail.to_address.ilike(_contains(recipient), escape="\\"))
    if subject.strip():
        query = query.where(SentEmail.subject.ilike(_contains(subject), escape="\\"))
    if kind:
        query = query.where(SentEmail.kind == kind)
    return list(session.scalars(query.limit(limit)))


def mail_kinds(session: Session) -> list[str]:
    """The kinds of e-mail kept so far, for the filter's choices."""
    return list(session.scalars(select(SentEmail.kind).distinct().order_by(SentEmail.kind)))
