"""What an order line can be exchanged for: its product's variants with stock and price."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.catalogue.models import Product, Variant
from returns_service.errors import Conflict, InvalidInput
from returns_service.inventory.operations import available_by_sku
from returns_service.orders.models import OrderLine


@dataclass(frozen=True)
class ExchangeOption:
    """A variant a customer may choose as the replacement."""

    variant_id: int
    sku: str
    title: str
    options: list[dict[str, Any]]
    available: int
    #: What one replacement costs more (positive) or less than one unit paid, order currency.
    price_difference: int
    #: The variant the customer bought (a defective item is exchanged for the same).
    ordered: bool

    @property
    def in_stock(self) -> bool:
        """Whether at least one unit can be promised."""
        return self.available > 0


@dataclass(frozen=True)
class LineExchangeOptions:
    """The product an order line is of, and the variants it can be exchanged for."""

    line: OrderLine
    product: Product | None
    options: list[ExchangeOption]


def paid_per_unit(line: OrderLine) -> int:
    """What one unit of an order line cost after its discount."""
    return line.total // line.quantity


def unit_price(session: Session, sku: str, currency: str) -> int | None:
    """A SKU's price in ``currency`` from the catalogue; None where it has none."""
    variants = session.scalars(
        select(Variant)
        .join(Variant.product)
        .where(Variant.sku == sku)
        .order_by(Product.deleted_at.is_not(None), Variant.id)
    )
    return next((p for v in variants if (p := v.price_in(currency)) is not None), None)


def product_of(session: Session, line: OrderLine) -> Product | None:
    """The catalogue's product of an order line: by the shop's variant, product, then SKU."""
    if line.variant_id:
        variant = session.scalar(select(Variant).where(Variant.external_id == line.variant_id))
        if variant is not None:
            return variant.product
    if line.product_id:
        product = session.scalar(select(Product).where(Product.external_id == line.product_id))
        if product is not None:
            return product
    if line.sku:
        variant = session.scalar(
            select(Variant).where(Variant.sku == line.sku).order_by(Variant.id).limit(1)
        )
        if variant is not None:
            return variant.product
    return None


def exchange_options(session: Session, line: OrderLine) -> LineExchangeOptions:
    """The variants of the line's product that can replace it, in the shop's order.

    A variant with no SKU cannot be held or shipped and is left out; a deleted product
    offers nothing. Prices are in the order's currency; a variant with no price in it is
    taken to cost what was paid (a size or colour swap).
    """
    product = product_of(session, line)
    if product is None or product.deleted_at is not None:
        return LineExchangeOptions(line, product, [])
    with_sku = [(v, v.sku) for v in product.variants if v.sku]
    available = available_by_sku(session, (sku for _, sku in with_sku))
    currency = line.order.currency
    paid = paid_per_unit(line)
    options = []
    for variant, sku in with_sku:
        price = variant.price_in(currency)
        options.append(
            ExchangeOption(
                variant_id=variant.id,
                sku=sku,
                title=variant.title,
                options=list(variant.options),
                available=available[sku],
                price_difference=0 if price is None else price - paid,
                ordered=sku == line.sku,
            )
        )
    return LineExchangeOptions(line, product, options)


def chosen_variant(
    session: Session, line: OrderLine, variant_id: int, quantity: int, *, field: str
) -> ExchangeOption:
    """The customer's chosen replacement, checked: offered for this line and in stock.

    The stock read here is a courtesy to the customer; the reservation at approval holds
    the units under the row lock and has the last word.
    """
    offered = {option.variant_id: option for option in exchange_options(session, line).options}
    option = offered.get(variant_id)
    if option is None:
        raise InvalidInput(
            f"variant {variant_id} is not offered in exchange for {line.title}", field=field
        )
    if option.available < quantity:
        described = ", ".join(f"{o['name']}: {o['value']}" for o in option.options)
        raise Conflict(
            f"{option.title or option.sku} ({described or option.sku}) is out of stock: "
            f"{option.available} available, {quantity} asked for",
            field=field,
        )
    return option
