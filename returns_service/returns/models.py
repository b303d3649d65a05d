"""Return requests (RMAs), their lines, exchanges and carrier pickups, and the RMA state machine."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from returns_service.models import SKU_LENGTH, Base, Promised, Ranked, intpk, str_enum, utcnow
from returns_service.orders.models import Order, OrderLine

# What the customer wants back, and a line's decision, are the rules' own vocabulary.
from rules.actions import Action, Resolution
from rules.actions import Outcome as LineOutcome


class ReturnStatus(StrEnum):
    """Where a return request stands."""

    REQUESTED = "requested"
    REVIEW = "review"
    APPROVED = "approved"
    REJECTED = "rejected"
    AWAITING_PARCEL = "awaiting_parcel"
    IN_TRANSIT = "in_transit"
    RECEIVED = "received"
    INSPECTED = "inspected"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


_S = ReturnStatus
#: Every allowed move of a return; anything else is refused.
RETURN_TRANSITIONS: dict[ReturnStatus, frozenset[ReturnStatus]] = {
    _S.REQUESTED: frozenset({_S.APPROVED, _S.REJECTED, _S.REVIEW, _S.CANCELLED}),
    _S.REVIEW: frozenset({_S.APPROVED, _S.REJECTED, _S.CANCELLED}),
    _S.APPROVED: frozenset({_S.AWAITING_PARCEL, _S.COMPLETED, _S.CANCELLED, _S.EXPIRED}),
    _S.AWAITING_PARCEL: frozenset({_S.IN_TRANSIT, _S.RECEIVED, _S.CANCELLED, _S.EXPIRED}),
    _S.IN_TRANSIT: frozenset({_S.RECEIVED}),
    _S.RECEIVED: frozenset({_S.INSPECTED}),
    _S.INSPECTED: frozenset({_S.COMPLETED}),
    _S.REJECTED: frozenset(),
    _S.COMPLETED: frozenset(),
    _S.CANCELLED: frozenset(),
    _S.EXPIRED: frozenset(),
}


class ReturnMethod(StrEnum):
    """How the parcel reaches the warehouse."""

    PICKUP = "pickup"
    DROPOFF = "dropoff"
    NONE = "none"  # keep-the-item: nothing comes back


class ItemCondition(StrEnum):
    """The state a returned item arrives in, graded at inspection."""

    NEW = "new"
    GOOD = "good"
    DAMAGED = "damaged"
    UNSELLABLE = "unsellable"


class Disposition(StrEnum):
    """What the warehouse does with an inspected item."""

    RESTOCK = "restock"
    REFURBISH = "refurbish"
    DISPOSE = "dispose"


class ReturnRequest(Promised, Ranked, Base):
    """A return authorisation (RMA): what comes back, why, and what the customer gets."""

    __tablename__ = "return_requests"

    id: Mapped[intpk]
    rma: Mapped[str] = mapped_column(String(32), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    status: Mapped[ReturnStatus] = mapped_column(
        str_enum(ReturnStatus), default=ReturnStatus.REQUESTED
    )
    resolution: Mapped[Resolution] = mapped_column(str_enum(Resolution))
    method: Mapped[ReturnMethod] = mapped_column(str_enum(ReturnMethod))
    #: Pickup date, slot and address as the customer gave them.
    method_details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    locale: Mapped[str] = mapped_column(String(8), default="ja")
    rule_set_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("rule_set_versions.id"), index=True
    )
    #: The request-level outcome and the rules' explanation, as shown to staff.
    decision: Mapped[dict[str, Any]] = mapped_column(default=dict)
    refund_timing: Mapped[str | None] = mapped_column(String(32))
    #: The return parcel's carrier, tracking number and label (pickup or drop-off alike).
    carrier: Mapped[str | None] = mapped_column(String(32))
    tracking_number: Mapped[str | None] = mapped_column(String(128), index=True)
    label_url: Mapped[str | None] = mapped_column(Text)
    #: The carrier's own id of the return shipment (EasyPost books pickups against it).
    carrier_shipment_id: Mapped[str | None] = mapped_column(String(64))
    restocking_fee: Mapped[int] = mapped_column(default=0)
    #: Its lines' reasons, distinct, sorted, comma-joined (``line_reasons_of``): fixed when
    #: filed, kept on the row so that the work list ranks open returns without their lines.
    line_reasons: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_by: Mapped[str] = mapped_column(String(64), default="customer")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    decided_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    order: Mapped[Order] = relationship()
    lines: Mapped[list[ReturnLine]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="ReturnLine.id"
    )
    pickup: Mapped[Pickup | None] = relationship(back_populates="request", uselist=False)
    exchanges: Mapped[list[Exchange]] = relationship(back_populates="request")


def line_reasons_of(lines: Iterable[ReturnLine]) -> str:
    """What a return keeps as its ``line_reasons``: ``"DEFECTIVE,SIZE_TOO_SMALL"``."""
    return ",".join(sorted({line.reason for line in lines}))


class ReturnLine(Base):
    """One order line (some of its units) in a return, with its decision and its inspection."""

    __tablename__ = "return_lines"

    id: Mapped[intpk]
    return_id: Mapped[int] = mapped_column(
        ForeignKey("return_requests.id", ondelete="CASCADE"), index=True
    )
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    quantity: Mapped[int]
    reason: Mapped[str] = mapped_column(String(32))
    comment: Mapped[str] = mapped_column(Text, default="")
    exchange_sku: Mapped[str | None] = mapped_column(String(SKU_LENGTH))
    photos: Mapped[list[str]] = mapped_column(default=list)
    outcome: Mapped[LineOutcome | None] = mapped_column(str_enum(LineOutcome))
    #: The rule set's explained decision for this line: rule, facts read, action.
    decision: Mapped[dict[str, Any]] = mapped_column(default=dict)
    received_quantity: Mapped[int] = mapped_column(default=0)
    condition: Mapped[ItemCondition | None] = mapped_column(str_enum(ItemCondition))
    disposition: Mapped[Disposition | None] = mapped_column(str_enum(Disposition))
    inspection_notes: Mapped[str] = mapped_column(Text, default="")
    #: The refund that paid for this line; a line is refunded once.
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refunds.id"), index=True)

    request: Mapped[ReturnRequest] = relationship(back_populates="lines")
    order_line: Mapped[OrderLine] = relationship()

    @property
    def action(self) -> Action:
        """The rules' decided action for this line, typed; an empty approval before any."""
        stored = (self.decision or {}).get("action")
        return Action.from_dict(stored) if stored else Action(outcome=LineOutcome.APPROVE)


class ExchangeStatus(StrEnum):
    """Where the replacement of an exchange stands."""

    RESERVED = "reserved"
    RELEASED = "released"
    SHIPMENT_REQUESTED = "shipment_requested"
    #: Handing the replacement to the warehouse gave up; staff retry it from the return.
    SHIPMENT_FAILED = "shipment_failed"
    SHIPPED = "shipped"


class Exchange(Base):
    """A replacement item for a returned line, with its stock reservation."""

    __tablename__ = "exchanges"

    id: Mapped[intpk]
    return_id: Mapped[int] = mapped_column(ForeignKey("return_requests.id"), index=True)
    return_line_id: Mapped[int] = mapped_column(ForeignKey("return_lines.id"), unique=True)
    sku: Mapped[str] = mapped_column(String(SKU_LENGTH))
    quantity: Mapped[int]
    status: Mapped[ExchangeStatus] = mapped_column(
        str_enum(ExchangeStatus), default=ExchangeStatus.RESERVED
    )
    #: Price of the replacement minus the returned line's, in the order's currency.
    price_difference: Mapped[int] = mapped_column(default=0)
    carrier: Mapped[str | None] = mapped_column(String(64))
    tracking_number: Mapped[str | None] = mapped_column(String(128))
    shipped_at: Mapped[datetime | None]
    #: Why handing the replacement to the warehouse gave up, while it is failed.
    failure_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    request: Mapped[ReturnRequest] = relationship(back_populates="exchanges")


class PickupStatus(StrEnum):
    """Where a carrier pickup stands."""

    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Pickup(Base):
    """A carrier collection of a return parcel from the customer's address."""

    __tablename__ = "pickups"

    id: Mapped[intpk]
    return_id: Mapped[int] = mapped_column(ForeignKey("return_requests.id"), unique=True)
    carrier: Mapped[str] = mapped_column(String(32))
    status: Mapped[PickupStatus] = mapped_column(
        str_enum(PickupStatus), default=PickupStatus.REQUESTED
    )
    pickup_date: Mapped[date | None]
    slot: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[dict[str, Any]] = mapped_column(default=dict)
    confirmation_number: Mapped[str | None] = mapped_column(String(64))
    #: The carrier's own id of the booking, which calling it off names.
    carrier_pickup_id: Mapped[str | None] = mapped_column(String(64))
    #: Why booking the pickup gave up, while it is failed.
    failure_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    request: Mapped[ReturnRequest] = relationship(back_populates="pickup")

    __table_args__ = (UniqueConstraint("carrier", "confirmation_number"),)
