"""Customers, orders, their lines and shipments, as ingested from the shop."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carriers.status import TrackingStatus
from returns_service.models import SKU_LENGTH, Base, Currency, MinorUnits, intpk, str_enum, utcnow

#: A shipment's status is the carrier-neutral tracking status.
ShipmentStatus = TrackingStatus


class FinancialStatus(StrEnum):
    """Where the order's payment stands (Shopify's vocabulary)."""

    PENDING = "pending"
    AUTHORIZED = "authorized"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    VOIDED = "voided"


class FulfillmentStatus(StrEnum):
    """The warehouse's progress on the order; decides whether it can still be cancelled."""

    UNFULFILLED = "unfulfilled"
    ALLOCATED = "allocated"
    PICKING = "picking"
    PACKED = "packed"
    SHIPPED = "shipped"


class OrderSource(StrEnum):
    """Where the order came from."""

    API = "api"
    SHOPIFY = "shopify"
    CSV = "csv"
    DEMO = "demo"


class Customer(Base):
    """A shop customer; orders are matched to them by e-mail address."""

    __tablename__ = "customers"

    id: Mapped[intpk]
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    phone: Mapped[str | None] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    locale: Mapped[str] = mapped_column(String(8), default="ja")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    orders: Mapped[list[Order]] = relationship(back_populates="customer")


class Order(Base):
    """An order as the shop knows it; replaced whole when the shop sends it again."""

    __tablename__ = "orders"

    id: Mapped[intpk]
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    number: Mapped[str] = mapped_column(String(64), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    placed_at: Mapped[datetime] = mapped_column(index=True)
    currency: Mapped[Currency]
    financial_status: Mapped[FinancialStatus] = mapped_column(
        str_enum(FinancialStatus), default=FinancialStatus.PAID
    )
    fulfillment_status: Mapped[FulfillmentStatus] = mapped_column(
        str_enum(FulfillmentStatus), default=FulfillmentStatus.UNFULFILLED
    )
    payment_provider: Mapped[str] = mapped_column(String(32), default="manual")
    payment_reference: Mapped[str | None] = mapped_column(String(128))
    payment_method: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[OrderSource] = mapped_column(str_enum(OrderSource), default=OrderSource.API)
    is_subscription: Mapped[bool] = mapped_column(default=False)
    subscription_reference: Mapped[str | None] = mapped_column(String(128), index=True)
    tags: Mapped[list[str]] = mapped_column(default=list)
    total_amount: Mapped[MinorUnits]
    shipping_amount: Mapped[MinorUnits]
    discount_amount: Mapped[MinorUnits]
    #: Refunded outside this service (for example in the shop's admin) plus by it.
    refunded_amount: Mapped[MinorUnits]
    shipping_address: Mapped[dict[str, Any]] = mapped_column(default=dict)
    shipping_country: Mapped[str | None] = mapped_column(String(2))
    cancelled_at: Mapped[datetime | None]
    #: The shop's own last-modified time; an older delivery of the same order is ignored.
    source_updated_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    customer: Mapped[Customer | None] = relationship(back_populates="orders")
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )
    shipments: Mapped[list[Shipment]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="Shipment.id"
    )


class OrderLine(Base):
    """One product line of an order; money in the order's currency."""

    __tablename__ = "order_lines"

    id: Mapped[intpk]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(64))
    sku: Mapped[str] = mapped_column(String(SKU_LENGTH), default="", index=True)
    product_id: Mapped[str | None] = mapped_column(String(64))
    variant_id: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[int]
    unit_price: Mapped[MinorUnits]
    #: The line's whole discount (all units), including its share of order-level discounts.
    discount: Mapped[MinorUnits]
    product_type: Mapped[str] = mapped_column(String(100), default="")
    tags: Mapped[list[str]] = mapped_column(default=list)
    is_final_sale: Mapped[bool] = mapped_column(default=False)

    order: Mapped[Order] = relationship(back_populates="lines")

    __table_args__ = (UniqueConstraint("order_id", "external_id"),)

    @property
    def total(self) -> int:
        """What the customer paid for the whole line, after discounts."""
        return self.unit_price * self.quantity - self.discount


class Shipment(Base):
    """A parcel sent to the customer, with the lines inside it."""

    __tablename__ = "shipments"

    id: Mapped[intpk]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(64))
    carrier: Mapped[str] = mapped_column(String(64), default="")
    tracking_number: Mapped[str | None] = mapped_column(String(128), index=True)
    #: Indexed: the work list looks for open cases whose parcel is in a state the shop's
    #: priority mapping names (an exception, say), among the few parcels in it.
    status: Mapped[ShipmentStatus] = mapped_column(
        str_enum(ShipmentStatus), default=ShipmentStatus.PENDING, index=True
    )
    #: The warehouse (or Shopify location) the parcel left from; None where the shop has one.
    warehouse: Mapped[str | None] = mapped_column(String(64))
    #: Indexed: parcels packed the same day are searched when one is reported swapped.
    shipped_at: Mapped[datetime | None] = mapped_column(index=True)
    delivered_at: Mapped[datetime | None]

    order: Mapped[Order] = relationship(back_populates="shipments")
    lines: Mapped[list[ShipmentLine]] = relationship(
        back_populates="shipment", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("order_id", "external_id"),)


class ShipmentLine(Base):
    """How many units of an order line travel in a shipment."""

    __tablename__ = "shipment_lines"

    id: Mapped[intpk]
    shipment_id: Mapped[int] = mapped_column(
        ForeignKey("shipments.id", ondelete="CASCADE"), index=True
    )
    order_line_id: Mapped[int] = mapped_column(
        ForeignKey("order_lines.id", ondelete="CASCADE"), index=True
    )
    quantity: Mapped[int]

    shipment: Mapped[Shipment] = relationship(back_populates="lines")
    order_line: Mapped[OrderLine] = relationship()


class WebhookReceipt(Base):
    """A webhook delivery already applied; a second delivery with the same id changes nothing."""

    __tablename__ = "webhook_receipts"

    id: Mapped[intpk]
    source: Mapped[str] = mapped_column(String(32))
    delivery_id: Mapped[str] = mapped_column(String(128))
    topic: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("source", "delivery_id"),)
