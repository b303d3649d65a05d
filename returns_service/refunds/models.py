"""Refunds to the original payment and the store-credit ledger."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from returns_service.models import Base, Currency, MinorUnits, intpk, str_enum, utcnow
from returns_service.orders.models import Order

if TYPE_CHECKING:
    from returns_service.returns.models import ReturnRequest


class RefundStatus(StrEnum):
    """Where a refund stands at the payment provider."""

    PENDING = "pending"  # recorded, not yet sent
    PROCESSING = "processing"  # sent, the provider has not settled it
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class RefundMethod(StrEnum):
    """Where the money goes."""

    ORIGINAL_PAYMENT = "original_payment"
    STORE_CREDIT = "store_credit"


class Refund(Base):
    """Money owed back to a customer for a return or a cancellation."""

    __tablename__ = "refunds"

    id: Mapped[intpk]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    return_id: Mapped[int | None] = mapped_column(ForeignKey("return_requests.id"), index=True)
    cancellation_id: Mapped[int | None] = mapped_column(ForeignKey("cancellations.id"), index=True)
    amount: Mapped[MinorUnits]
    currency: Mapped[Currency]
    method: Mapped[RefundMethod] = mapped_column(str_enum(RefundMethod))
    provider: Mapped[str] = mapped_column(String(32))
    status: Mapped[RefundStatus] = mapped_column(
        str_enum(RefundStatus), default=RefundStatus.PENDING
    )
    provider_reference: Mapped[str | None] = mapped_column(String(128), index=True)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    #: Failed without the provider's definitive answer: the money may have gone out, so the
    #: refund still counts against what the order may be refunded until it is settled.
    outcome_unknown: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_at: Mapped[datetime | None]

    order: Mapped[Order] = relationship()
    return_request: Mapped[ReturnRequest | None] = relationship("ReturnRequest")

    @property
    def subject(self) -> tuple[str, int]:
        """The timeline the refund belongs on: its return's, its cancellation's, or its order's."""
        if self.return_id is not None:
            return "return", self.return_id
        if self.cancellation_id is not None:
            return "cancellation", self.cancellation_id
        return "order", self.order_id


class StoreCreditAccount(Base):
    """A customer's store credit, redeemable with its code."""

    __tablename__ = "store_credit_accounts"

    id: Mapped[intpk]
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), unique=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    currency: Mapped[Currency]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    entries: Mapped[list[StoreCreditEntry]] = relationship(
        back_populates="account", order_by="StoreCreditEntry.id"
    )

    @property
    def balance(self) -> int:
        """The sum of the ledger."""
        return sum(entry.amount for entry in self.entries)


class StoreCreditEntry(Base):
    """One movement on a store-credit account: positive issued, negative redeemed."""

    __tablename__ = "store_credit_entries"

    id: Mapped[intpk]
    account_id: Mapped[int] = mapped_column(ForeignKey("store_credit_accounts.id"), index=True)
    amount: Mapped[int]
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refunds.id"), unique=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    account: Mapped[StoreCreditAccount] = relationship(back_populates="entries")


class SandboxRefund(Base):
    """What the sandbox payment provider was asked to refund; one row per idempotency key."""

    __tablename__ = "sandbox_refunds"

    id: Mapped[intpk]
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    payment_reference: Mapped[str | None] = mapped_column(String(128))
    amount: Mapped[int]
    currency: Mapped[Currency]
    created_at: Mapped[datetime]
