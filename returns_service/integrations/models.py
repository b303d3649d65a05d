"""What the service knows of its records' twins in other systems."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from returns_service.models import Base, intpk, utcnow


class IntegrationLink(Base):
    """One of our records (a return, a cancellation, an exchange) as another system knows it.

    ``state`` is how far the other system has been brought (for example a Shopify return's
    status); ``last_error`` is the latest failure, cleared by the next success.
    """

    __tablename__ = "integration_links"

    id: Mapped[intpk]
    system: Mapped[str] = mapped_column(String(32))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int]
    external_id: Mapped[str | None] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(32), default="")
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("system", "subject_type", "subject_id"),)


class OAuthToken(Base):
    """A system's current OAuth token pair, renewed by refreshing and kept across restarts.

    ``seeded_from`` is a digest of the pair the settings gave when this row started, so new
    tokens put in the settings (the shop authorised the app again) replace a stale row.
    """

    __tablename__ = "oauth_tokens"

    id: Mapped[intpk]
    system: Mapped[str] = mapped_column(String(32), unique=True)
    access_token: Mapped[str] = mapped_column(Text)
    refresh_token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime | None]
    seeded_from: Mapped[str] = mapped_column(String(64))
    refreshed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
