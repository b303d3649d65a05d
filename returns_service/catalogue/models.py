"""Products, their variants (SKU, options, price) and the shop's stock levels per location."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from returns_service.models import SKU_LENGTH, Base, Currency, MinorUnits, intpk, utcnow


class Product(Base):
    """A product as the shop sells it; its variants are what a customer can choose."""

    __tablename__ = "products"

    id: Mapped[intpk]
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    #: In the shop's own language, as the shop writes it.
    title: Mapped[str] = mapped_column(String(300))
    product_type: Mapped[str] = mapped_column(String(100), default="")
    tags: Mapped[list[str]] = mapped_column(default=list)
    #: The names of the options, in the shop's order ("サイズ", "カラー").
    option_names: Mapped[list[str]] = mapped_column(default=list)
    #: Set when the shop deletes the product: kept for past exchanges, never offered again.
    deleted_at: Mapped[datetime | None]
    #: The shop's own clock for this product; older deliveries are not applied.
    source_updated_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    variants: Mapped[list[Variant]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="Variant.position"
    )


class Variant(Base):
    """One choosable version of a product (a size, a colour) with its SKU and price.

    Stock is held per SKU in ``inventory``; two variants sharing a SKU share its stock.
    """

    __tablename__ = "product_variants"

    id: Mapped[intpk]
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    sku: Mapped[str | None] = mapped_column(String(SKU_LENGTH), index=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    #: ``[{"name": "サイズ", "value": "M"}, ...]`` in the product's option order.
    options: Mapped[list[Any]] = mapped_column(default=list)
    price: Mapped[MinorUnits]
    currency: Mapped[Currency]
    #: The price in other currencies the shop sells in, minor units by ISO code.
    presentment_prices: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: Shopify's inventory item: stock levels name it, not the variant.
    inventory_item_id: Mapped[str | None] = mapped_column(String(64), index=True)
    position: Mapped[int] = mapped_column(default=1)

    product: Mapped[Product] = relationship(back_populates="variants")

    def price_in(self, currency: str) -> int | None:
        """The unit price in ``currency``, or None where the shop sets none."""
        if currency == self.currency:
            return self.price
        return self.presentment_prices.get(currency)


class StockLevel(Base):
    """Units of an inventory item available at one of the shop's locations, as last told."""

    __tablename__ = "stock_levels"

    inventory_item_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    location_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    available: Mapped[int] = mapped_column(default=0)
    #: The shop's time of this level; an older report does not overwrite a newer one.
    source_updated_at: Mapped[datetime | None]
