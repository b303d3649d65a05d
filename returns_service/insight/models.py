"""Jump alerts already raised, so that one jump is announced once."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from returns_service.models import SKU_LENGTH, Base, intpk


class JumpAlert(Base):
    """A product's return rate, or one reason's share of its returns, jumped in a window."""

    __tablename__ = "jump_alerts"

    id: Mapped[intpk]
    sku: Mapped[str] = mapped_column(String(SKU_LENGTH))
    #: ``return_rate`` or ``reason_share``.
    metric: Mapped[str] = mapped_column(String(16))
    #: The reason whose share jumped; empty for the return rate.
    reason: Mapped[str] = mapped_column(String(32), default="")
    #: The last day (shop's time zone) of the window that jumped.
    window_end: Mapped[date]
    observed: Mapped[int]
    trials: Mapped[int]
    baseline_rate: Mapped[float]
    p_value: Mapped[float]
    created_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("sku", "metric", "reason", "window_end"),)
