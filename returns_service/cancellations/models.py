"""Order and line cancellations, decided by the warehouse's progress."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from returns_service.models import Base, intpk, str_enum, utcnow
from returns_service.orders.models import Order


class CancellationStatus(StrEnum):
    """Where a cancellation stands."""

    CANCELLED = "cancelled"
    PENDING_STOP = "pending_stop"
    REFUSED = "refused"
    REVIEW = "review"


class Cancellation(Base):
    """A request to cancel an order or some of its lines."""

    __tablename__ = "cancellations"

    id: Mapped[intpk]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    status: Mapped[CancellationStatus] = mapped_column(str_enum(CancellationStatus))
    reason: Mapped[str] = mapped_column(String(64), default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    whole_order: Mapped[bool] = mapped_column(default=True)
    decision: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by: Mapped[str] = mapped_column(String(64), default="customer")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    settled_at: Mapped[datetime | None]

    order: Mapped[Order] = relationship()
    lines: Mapped[list[CancellationLine]] = relationship(cascade="all, delete-orphan")


class CancellationLine(Base):
    """Units of one order line a cancellation takes off the order."""

    __tablename__ = "cancellation_lines"

    id: Mapped[intpk]
    cancellation_id: Mapped[int] = mapped_column(
        ForeignKey("cancellations.id", ondelete="CASCADE"), index=True
    )
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"))
    quantity: Mapped[int]
