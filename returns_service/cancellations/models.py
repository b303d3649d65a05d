"""Order and line cancellations, decided by the warehouse's progress."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from returns_service.models import Base, Promised, Ranked, intpk, str_enum, utcnow
from returns_service.orders.models import Order, OrderLine


class CancellationStatus(StrEnum):
    """Where a cancellation stands."""

    REQUESTED = "requested"  # filed, not decided yet (never seen after the request's commit)
    REVIEW = "review"  # a person decides: the rules asked, or the warehouse did not answer
    PENDING_STOP = "pending_stop"  # the warehouse is asked to stop a picked or packed order
    CANCELLED = "cancelled"  # the lines are off the order and refunded
    REFUSED = "refused"  # the parcel left before it could be stopped: a return is offered
    REJECTED = "rejected"  # the rules or a person said no


CANCELLATION_TRANSITIONS: dict[CancellationStatus, frozenset[CancellationStatus]] = {
    CancellationStatus.REQUESTED: frozenset(
        {
            CancellationStatus.CANCELLED,
            CancellationStatus.PENDING_STOP,
            CancellationStatus.REVIEW,
            CancellationStatus.REJECTED,
            CancellationStatus.REFUSED,
        }
    ),
    CancellationStatus.REVIEW: frozenset(
        {
            CancellationStatus.CANCELLED,
            CancellationStatus.PENDING_STOP,
            CancellationStatus.REJECTED,
            CancellationStatus.REFUSED,
        }
    ),
    CancellationStatus.PENDING_STOP: frozenset(
        {CancellationStatus.CANCELLED, CancellationStatus.REFUSED, CancellationStatus.REVIEW}
    ),
    CancellationStatus.CANCELLED: frozenset(),
    CancellationStatus.REFUSED: frozenset(),
    CancellationStatus.REJECTED: frozenset(),
}

#: Still being decided: their units are spoken for, and a parcel leaving refuses them.
OPEN_STATUSES = (
    CancellationStatus.REQUESTED,
    CancellationStatus.REVIEW,
    CancellationStatus.PENDING_STOP,
)


class Cancellation(Promised, Ranked, Base):
    """A request to cancel an order or some of its lines."""

    __tablename__ = "cancellations"

    id: Mapped[intpk]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    status: Mapped[CancellationStatus] = mapped_column(
        str_enum(CancellationStatus), default=CancellationStatus.REQUESTED
    )
    reason: Mapped[str] = mapped_column(String(64), default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    #: The customer named no lines: everything still on the order.
    whole_order: Mapped[bool] = mapped_column(default=True)
    #: The rules' decision: version, rule, message and every fact they could see.
    decision: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: The language the customer is answered and e-mailed in.
    locale: Mapped[str] = mapped_column(String(8), default="ja", server_default="ja")
    #: What the customer reads about the outcome (a rule's or a person's message).
    message: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64), default="customer")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the warehouse was asked to stop; the stop times out from here.
    stop_requested_at: Mapped[datetime | None]
    settled_at: Mapped[datetime | None]
    #: Worked out when the cancellation is settled, before the cap at what is refundable.
    goods_amount: Mapped[int | None] = mapped_column(BigInteger)
    shipping_amount: Mapped[int | None] = mapped_column(BigInteger)
    #: Settling it left nothing on the order: the whole order is cancelled.
    closes_order: Mapped[bool | None]
    #: Why cancelling the order at Shopify gave up, until a retry succeeds.
    shopify_failure: Mapped[str | None] = mapped_column(Text)

    order: Mapped[Order] = relationship()
    lines: Mapped[list[CancellationLine]] = relationship(
        cascade="all, delete-orphan", order_by="CancellationLine.id"
    )


class CancellationLine(Base):
    """Units of one order line a cancellation takes off the order."""

    __tablename__ = "cancellation_lines"

    id: Mapped[intpk]
    cancellation_id: Mapped[int] = mapped_column(
        ForeignKey("cancellations.id", ondelete="CASCADE"), index=True
    )
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    quantity: Mapped[int]

    order_line: Mapped[OrderLine] = relationship()
