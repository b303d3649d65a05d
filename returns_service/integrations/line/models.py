"""Customers' LINE accounts: the link code, the LINE user, and where messages go."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from returns_service.models import Base, intpk, str_enum, utcnow


class Channel(StrEnum):
    """Where a linked customer's status messages go."""

    EMAIL = "email"
    LINE = "line"
    BOTH = "both"


class LineAccount(Base):
    """A customer's LINE account, linked by a code they send to the shop's LINE account."""

    __tablename__ = "line_accounts"

    id: Mapped[intpk]
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), unique=True)
    link_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    code_expires_at: Mapped[datetime | None]
    line_user_id: Mapped[str | None] = mapped_column(String(64), index=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel), default=Channel.BOTH)
    #: False once the customer blocked the shop's account: e-mail only until they follow again.
    following: Mapped[bool] = mapped_column(default=True)
    linked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
