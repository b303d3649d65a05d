"""What an order line can be exchanged for: variants with their stock and price difference."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.catalogue.models import Product, Variant
from returns_service.errors import Conflict, InvalidInput
from returns_service.inventory.operations import available_by_sku
from returns_service.orders.models import OrderLine
from rules.actions import ExchangeScope

#: Variants of other products offered at most, so a large shop's picker stays a list.
MAX_OTHER_VARIANTS = 200


@dataclass(frozen=True)
class ExchangeOption:
    """A variant a customer may choose as the replacement."""

    variant_id: int
    sku: str
    product_external_id: str
    product_title: str
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


def _options(
    session: Session, line: OrderLine, variants: Iterable[Variant]
) -> list[ExchangeOption]:
    # A variant with no SKU cannot be held or shipped: it is never offered.
    with_sku = [(v, v.sku) for v in variants if v.sku]
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
                product_external_id=variant.product.external_id,
                product_title=variant.product.title,
                title=variant.title,
                options=list(variant.options),
                available=available[sku],
                price_difference=0 if price is None else price - paid,
                ordered=sku == line.sku,
            )
        )
    return options


def _other_products_query(product: Product | None, line: OrderLine, scope: ExchangeScope) -> Any:
    query = (
        select(Variant)
        .join(Variant.product)
        .where(Product.deleted_at.is_(None), Variant.sku.is_not(None))
        .order_by(Product.title, Product.id, Variant.position)
        .limit(MAX_OTHER_VARIANTS)
    )
    if product is not None:
        query = query.where(Product.id != product.id)
    if scope is ExchangeScope.SAME_PRODUCT_TYPE:
        query = query.where(Product.product_type == _product_type(product, line))
    return query


def _product_type(product: Product | None, line: OrderLine) -> str:
    return (
        product.product_type if product is not None and product.product_type else line.product_type
    )


def exchange_options(
    session: Session, line: OrderLine, scope: ExchangeScope = ExchangeScope.SAME_PRODUCT
) -> LineExchangeOptions:
    """The variants that can replace the line, its own product's first, in the shop's order.

    Other products are offered only as far as ``scope`` (the deciding rule's
    ``exchange_scope``) allows. A deleted product offers nothing. Prices are in the order's
    currency; a variant with no price in it is taken to cost what was paid.
    """
    product = product_of(session, line)
    own = product is not None and product.deleted_at is None
    options = _options(session, line, product.variants) if own and product else []
    if scope is not ExchangeScope.SAME_PRODUCT:
        if scope is ExchangeScope.ANY_PRODUCT or _product_type(product, line):
            others = session.scalars(_other_products_query(product, line, scope))
            options += _options(session, line, others)
    return LineExchangeOptions(line, product, options)


def within_scope(session: Session, line: OrderLine, sku: str, scope: ExchangeScope) -> bool:
    """Whether a replacement SKU is one the scope allows for this line.

    A SKU the catalogue does not know is not judged here (an integration may name one); its
    stock decides at approval.
    """
    variants = session.scalars(
        select(Variant)
        .join(Variant.product)
        .where(Variant.sku == sku, Product.deleted_at.is_(None))
    ).all()
    if not variants or scope is ExchangeScope.ANY_PRODUCT:
        return True
    product = product_of(session, line)
    if product is not None and any(v.product_id == product.id for v in variants):
        return True
    if scope is ExchangeScope.SAME_PRODUCT_TYPE:
        wanted = _product_type(product, line)
        return bool(wanted) and any(v.product.product_type == wanted for v in variants)
    return False


def chosen_variant(
    session: Session, line: OrderLine, variant_id: int, quantity: int, *, field: str
) -> ExchangeOption:
    """The customer's chosen replacement, checked: a variant on sale, in stock.

    Whether the deciding rule lets it come from another product is checked with the rule's
    decision (:func:`within_scope`). The stock read here is a courtesy to the customer; the
    reservation at approval holds the units under the row lock and has the last word.
    """
    variant = session.get(Variant, variant_id)
    if variant is None or variant.product.deleted_at is not None or not variant.sku:
        raise InvalidInput(
            f"variant {variant_id} is not on sale", field=field, code="replacement_not_on_sale"
        )
    (option,) = _options(session, line, [variant])
    if option.available < quantity:
        described = ", ".join(f"{o['name']}: {o['value']}" for o in option.options)
        raise Conflict(
            f"{option.title or option.sku} ({described or option.sku}) is out of stock: "
            f"{option.available} available, {quantity} asked for",
            field=field,
            code="replacement_out_of_stock",
            available=option.available,
        )
    return option
