"""The log of e-mail sent, webhook endpoints, and the log of webhook delivery attempts.

``outbox_message_id`` columns carry no foreign key on purpose: the logs outlive outbox
retention, and a failed attempt is logged on its own connection while the job's transaction
holds the outbox row ``FOR UPDATE``; a key check on that row would wait for the job forever.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from returns_service.models import Base, intpk, str_enum, utcnow


class Transport(StrEnum):
    """How an e-mail left the service."""

    SMTP = "smtp"
    MAILBOX = "mailbox"  # no SMTP server configured: stored for the demo's mail page only


class SentEmail(Base):
    """One e-mail sent to a customer; at most one per outbox message."""

    __tablename__ = "sent_emails"

    id: Mapped[intpk]
    #: Unique, so a job run again (a retry, a relay after a lost acknowledgement) sends nothing.
    outbox_message_id: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(64))
    to_address: Mapped[str] = mapped_column(String(320))
    locale: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int]
    sent_at: Mapped[datetime] = mapped_column(index=True)
    transport: Mapped[Transport] = mapped_column(str_enum(Transport, length=16))

    __table_args__ = (Index("ix_sent_emails_subject", "subject_type", "subject_id"),)


class WebhookEndpoint(Base):
    """A URL that receives signed event notifications."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[intpk]
    url: Mapped[str] = mapped_column(String(2000))
    #: Signs every delivery; kept in clear because signing needs it, shown once on creation.
    secret: Mapped[str] = mapped_column(String(128))
    #: Event names this endpoint wants; empty means every event.
    events: Mapped[list[str]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    description: Mapped[str] = mapped_column(String(200), default="")

    def wants(self, event: str) -> bool:
        """Whether this endpoint is active and subscribed to ``event``."""
        return self.active and subscribed(self.events, event)


def subscribed(events: Collection[str], event: str) -> bool:
    """Whether an endpoint subscribed to ``events`` (none: every event) wants ``event``."""
    return not events or event in events


class WebhookDelivery(Base):
    """One attempt to deliver one event to one endpoint, successful or not."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[intpk]
    #: The delivery id receivers see; every attempt of one delivery shares it.
    outbox_message_id: Mapped[str] = mapped_column(String(36), index=True)
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(String(64))
    #: None when no response came back (connection refused, timeout).
    status_code: Mapped[int | None]
    attempted_at: Mapped[datetime]
    duration_ms: Mapped[int]
    error: Mapped[str | None] = mapped_column(Text)
