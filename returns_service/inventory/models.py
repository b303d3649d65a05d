"""Stock per SKU and the reservations that hold it for exchanges."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from returns_service.models import SKU_LENGTH, Base, intpk, str_enum, utcnow


class StockItem(Base):
    """Units of a SKU on hand and how many of them are held by reservations.

    The one count of a SKU: the shop's feeds set ``on_hand``, restocks add to it, shipped
    replacements take from it, and reservations hold part of it.
    """

    __tablename__ = "stock_items"

    sku: Mapped[str] = mapped_column(String(SKU_LENGTH), primary_key=True)
    on_hand: Mapped[int] = mapped_column(default=0)
    reserved: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def available(self) -> int:
        """Units that can still be promised."""
        return self.on_hand - self.reserved


class ReservationStatus(StrEnum):
    """Whether a reservation still holds its units."""

    HELD = "held"
    RELEASED = "released"
    CONSUMED = "consumed"


class Reservation(Base):
    """Units of a SKU held for one exchange until it ships or is given up."""

    __tablename__ = "reservations"

    id: Mapped[intpk]
    sku: Mapped[str] = mapped_column(String(SKU_LENGTH), ForeignKey("stock_items.sku"), index=True)
    quantity: Mapped[int]
    exchange_id: Mapped[int | None] = mapped_column(ForeignKey("exchanges.id"), unique=True)
    status: Mapped[ReservationStatus] = mapped_column(
        str_enum(ReservationStatus), default=ReservationStatus.HELD
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Restock(Base):
    """Units put back on the shelf after inspection; one row per return line, never twice."""

    __tablename__ = "restocks"

    id: Mapped[intpk]
    sku: Mapped[str] = mapped_column(String(SKU_LENGTH), ForeignKey("stock_items.sku"), index=True)
    quantity: Mapped[int]
    return_line_id: Mapped[int] = mapped_column(ForeignKey("return_lines.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
