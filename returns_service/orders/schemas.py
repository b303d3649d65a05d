"""The order document the API, the Shopify mapping and the bulk import all load."""

from __future__ import annotations

from collections import Counter
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from returns_service.compiled_schemas import Schema
from returns_service.models import SKU_LENGTH
from returns_service.orders.models import (
    FinancialStatus,
    FulfillmentStatus,
    OrderSource,
    ShipmentStatus,
)
from returns_service.schemas import CURRENCY, MAX_QUANTITY, MoneyField, NonNegativeMoneySchema, Text

LOCALE = validate.OneOf(("ja", "en"))
PAYMENT_PROVIDERS = ("manual", "sandbox", "stripe", "shopify")


class CustomerSchema(Schema):
    """The customer on an order; matched by external id, else by e-mail."""

    external_id = Text(load_default=None, validate=validate.Length(max=64))
    email = fields.Email(load_default=None)
    phone = Text(load_default=None, validate=validate.Length(max=32))
    name = Text(load_default="", validate=validate.Length(max=200))
    #: Unknown: the shop's default language.
    locale = Text(load_default=None, validate=LOCALE)

    @validates_schema
    def _reachable(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data.get("email") and not data.get("phone"):
            raise ValidationError("an e-mail address or a phone number is required", "email")


class PaymentSchema(Schema):
    """How the order was paid, so a refund can go back the same way."""

    provider = Text(load_default="manual", validate=validate.OneOf(PAYMENT_PROVIDERS))
    reference = Text(load_default=None, validate=validate.Length(max=128))
    method = Text(load_default=None, validate=validate.Length(max=64))


#: One instance for every document: building a schema (and its nested ones) costs more
#: than loading with it.
_PAYMENT_IN = PaymentSchema()


class AddressSchema(Schema):
    """A postal address."""

    name = Text(load_default="", max_length=200)
    phone = Text(load_default=None, max_length=32)
    postal_code = Text(load_default="", max_length=200)
    country = Text(
        load_default=None, validate=validate.Regexp(r"^[A-Z]{2}$", error="must be ISO 3166 alpha-2")
    )
    province = Text(load_default="", max_length=200)
    city = Text(load_default="", max_length=200)
    address1 = Text(load_default="", max_length=200)
    address2 = Text(load_default="", max_length=200)


class OrderLineSchema(Schema):
    """One product line."""

    external_id = Text(required=True, validate=validate.Length(min=1, max=64))
    sku = Text(load_default="", validate=validate.Length(max=SKU_LENGTH))
    product_id = Text(load_default=None, max_length=64)
    variant_id = Text(load_default=None, max_length=64)
    title = Text(required=True, validate=validate.Length(min=1, max=300))
    quantity = fields.Integer(
        required=True,
        strict=True,
        validate=[validate.Range(min=1), validate.Range(max=MAX_QUANTITY, error="is too large")],
    )
    unit_price = fields.Nested(NonNegativeMoneySchema, required=True)
    discount = fields.Nested(NonNegativeMoneySchema, load_default=None)
    product_type = Text(load_default="", max_length=100)
    tags = fields.List(Text(max_length=100), load_default=list)
    final_sale = fields.Boolean(load_default=False)


class ShipmentLineSchema(Schema):
    """Units of an order line inside a shipment."""

    line_id = Text(required=True, max_length=64)
    quantity = fields.Integer(
        required=True,
        strict=True,
        validate=[validate.Range(min=1), validate.Range(max=MAX_QUANTITY, error="is too large")],
    )


class ShipmentSchema(Schema):
    """A parcel on its way to the customer."""

    external_id = Text(required=True, validate=validate.Length(min=1, max=64))
    carrier = Text(load_default="", max_length=64)
    tracking_number = Text(load_default=None, max_length=128)
    # No default: an update that leaves the status out keeps it (a new shipment is pending).
    status = fields.Enum(ShipmentStatus, by_value=True, load_default=None)
    #: The carrier's own status word (e.g. 配達完了), normalised when no status is given.
    carrier_status = Text(load_default=None, validate=validate.Length(max=100))
    warehouse = Text(load_default=None, validate=validate.Length(max=64))
    shipped_at = fields.AwareDateTime(load_default=None)
    delivered_at = fields.AwareDateTime(load_default=None)
    lines = fields.List(fields.Nested(ShipmentLineSchema), load_default=list)


class OrderUpsertSchema(Schema):
    """An order as a shop sends it: the whole of it, replacing what was there."""

    number = Text(required=True, validate=validate.Length(min=1, max=64))
    placed_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(load_default=None)
    currency = Text(required=True, validate=CURRENCY)
    financial_status = fields.Enum(
        FinancialStatus, by_value=True, load_default=FinancialStatus.PAID
    )
    # No default: a shop that does not know the warehouse's progress (picking, packed)
    # leaves it out, and what the warehouse said stands.
    fulfillment_status = fields.Enum(FulfillmentStatus, by_value=True, load_default=None)
    source = fields.Enum(OrderSource, by_value=True, load_default=OrderSource.API)
    payment = fields.Nested(PaymentSchema, load_default=lambda: _PAYMENT_IN.load({}))
    subscription_reference = Text(load_default=None, max_length=128)
    tags = fields.List(Text(max_length=100), load_default=list)
    cancelled_at = fields.AwareDateTime(load_default=None)
    customer = fields.Nested(CustomerSchema, required=True)
    shipping_address = fields.Nested(AddressSchema, load_default=None)
    total = fields.Nested(NonNegativeMoneySchema, required=True)
    shipping = fields.Nested(NonNegativeMoneySchema, load_default=None)
    discount = fields.Nested(NonNegativeMoneySchema, load_default=None)
    refunded = fields.Nested(NonNegativeMoneySchema, load_default=None)
    lines = fields.List(
        fields.Nested(OrderLineSchema), required=True, validate=validate.Length(min=1)
    )
    shipments = fields.List(fields.Nested(ShipmentSchema), load_default=list)

    @validates_schema
    def _consistent(self, data: dict[str, Any], **kwargs: Any) -> None:
        currency = data.get("currency")
        errors: dict[str, Any] = {}
        for name in ("total", "shipping", "discount", "refunded"):
            if data.get(name) and data[name]["currency"] != currency:
                errors[name] = {"currency": [f"must be the order's currency {currency}"]}
        lines = data.get("lines", [])
        for index, line in enumerate(lines):
            for name in ("unit_price", "discount"):
                if line.get(name) and line[name]["currency"] != currency:
                    errors.setdefault("lines", {}).setdefault(index, {})[name] = {
                        "currency": [f"must be the order's currency {currency}"]
                    }
        duplicates = [key for key, n in Counter(li["external_id"] for li in lines).items() if n > 1]
        if duplicates:
            errors.setdefault("lines", {})["_schema"] = [
                f"line external_id {duplicates[0]!r} appears twice"
            ]
        quantities = {line["external_id"]: line["quantity"] for line in lines}
        shipped: Counter[str] = Counter()
        for s_index, shipment in enumerate(data.get("shipments", [])):
            for l_index, shipment_line in enumerate(shipment["lines"]):
                if shipment_line["line_id"] not in quantities:
                    shipment_errors = errors.setdefault("shipments", {}).setdefault(s_index, {})
                    shipment_errors.setdefault("lines", {})[l_index] = {
                        "line_id": [f"no line {shipment_line['line_id']!r}"]
                    }
                shipped[shipment_line["line_id"]] += shipment_line["quantity"]
        for line_id, quantity in shipped.items():
            if line_id in quantities and quantity > quantities[line_id]:
                errors.setdefault("shipments", {})["_schema"] = [
                    f"line {line_id!r} ships {quantity} units but the order has "
                    f"{quantities[line_id]}"
                ]
        if errors:
            raise ValidationError(errors)


#: The order document's schema, built once for every request, webhook and imported row.
ORDER_UPSERT = OrderUpsertSchema()


def _order_currency(obj: Any) -> str:
    return obj.order.currency


class OrderLineOut(Schema):
    """A line as the API shows it."""

    id = fields.Integer()
    external_id = fields.String()
    sku = fields.String()
    title = fields.String()
    quantity = fields.Integer()
    unit_price = MoneyField(_order_currency)
    discount = MoneyField(_order_currency)
    total = MoneyField(_order_currency)
    product_type = fields.String()
    tags = fields.List(fields.String())
    final_sale = fields.Boolean(attribute="is_final_sale")


class ShipmentOut(Schema):
    """A shipment as the API shows it."""

    external_id = fields.String()
    carrier = fields.String()
    tracking_number = fields.String(allow_none=True)
    status = fields.Enum(ShipmentStatus, by_value=True)
    shipped_at = fields.AwareDateTime(allow_none=True)
    delivered_at = fields.AwareDateTime(allow_none=True)
    lines = fields.Method("_lines")

    def _lines(self, shipment: Any) -> list[dict[str, Any]]:
        return [
            {"line_id": sl.order_line.external_id, "quantity": sl.quantity} for sl in shipment.lines
        ]


class CustomerOut(Schema):
    """A customer as the API shows it."""

    external_id = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    name = fields.String()
    locale = fields.String()


class PaymentOut(Schema):
    """How the order was paid."""

    provider = fields.String(attribute="payment_provider")
    reference = fields.String(attribute="payment_reference", allow_none=True)
    method = fields.String(attribute="payment_method", allow_none=True)


#: One instance for every order dumped: building a schema costs more than dumping with it.
_PAYMENT_OUT = PaymentOut()


class OrderOut(Schema):
    """An order as the API shows it."""

    external_id = fields.String()
    number = fields.String()
    placed_at = fields.AwareDateTime()
    currency = fields.String()
    financial_status = fields.Enum(FinancialStatus, by_value=True)
    fulfillment_status = fields.Enum(FulfillmentStatus, by_value=True)
    source = fields.Enum(OrderSource, by_value=True)
    payment = fields.Function(_PAYMENT_OUT.dump)
    is_subscription = fields.Boolean()
    subscription_reference = fields.String(allow_none=True)
    tags = fields.List(fields.String())
    cancelled_at = fields.AwareDateTime(allow_none=True)
    customer = fields.Nested(CustomerOut)
    shipping_address = fields.Dict()
    total = MoneyField(attribute="total_amount")
    shipping = MoneyField(attribute="shipping_amount")
    discount = MoneyField(attribute="discount_amount")
    refunded = MoneyField(attribute="refunded_amount")
    lines = fields.List(fields.Nested(OrderLineOut))
    shipments = fields.List(fields.Nested(ShipmentOut))
