"""Subscription cancellation flows, and the offers each reason is met with."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from returns_service.models import Base, Promised, Ranked, intpk, str_enum, utcnow
from returns_service.orders.models import Order


class CancelReason(StrEnum):
    """Why the customer wants to stop; it decides which offers they see."""

    TOO_MUCH_PRODUCT = "too_much_product"
    DOES_NOT_SUIT = "does_not_suit"
    TOO_EXPENSIVE = "too_expensive"
    MOVING = "moving"
    OTHER = "other"


class OfferType(StrEnum):
    """What an offer does to the subscription instead of ending it."""

    SKIP = "skip"  # the next delivery does not come
    PAUSE = "pause"  # no deliveries for some months
    SWITCH = "switch"  # another product from the next delivery
    DISCOUNT = "discount"  # a percentage off the next deliveries


class FlowStatus(StrEnum):
    """Where a subscription cancellation flow stands."""

    OFFERED = "offered"  # the offers are shown; the customer accepts one or confirms
    SAVED = "saved"  # an offer was accepted: the subscription goes on
    CANCELLED = "cancelled"  # the customer confirmed: the subscription ends
    SUPERSEDED = "superseded"  # the customer started again, with another reason


class SubscriptionCancellation(Promised, Ranked, Base):
    """One customer's attempt to cancel a subscription, and how it ended."""

    __tablename__ = "subscription_cancellations"

    id: Mapped[intpk]
    subscription_reference: Mapped[str] = mapped_column(String(128), index=True)
    #: The subscription's latest order: its customer, its products.
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    reason: Mapped[CancelReason] = mapped_column(str_enum(CancelReason))
    comment: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[FlowStatus] = mapped_column(str_enum(FlowStatus), default=FlowStatus.OFFERED)
    #: The offers shown, as configured then: a later change does not alter this flow.
    offers: Mapped[list[Any]] = mapped_column(default=list)
    #: The accepted offer and the customer's choice within it (months, product).
    accepted_offer: Mapped[dict[str, Any] | None]
    #: What the subscription system is told to do, with the dates the customer was given.
    outcome: Mapped[dict[str, Any] | None]
    next_delivery: Mapped[date | None]
    interval_days: Mapped[int]
    locale: Mapped[str] = mapped_column(String(8), default="ja")
    created_by: Mapped[str] = mapped_column(String(64), default="customer")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    order: Mapped[Order] = relationship()


class OfferSet(Base):
    """The offers an admin chose for one reason; a reason without a row uses the defaults."""

    __tablename__ = "subscription_offer_sets"

    reason: Mapped[CancelReason] = mapped_column(str_enum(CancelReason), primary_key=True)
    offers: Mapped[list[Any]] = mapped_column(default=list)
    updated_by: Mapped[str] = mapped_column(String(128))
    updated_at: Mapped[datetime]
