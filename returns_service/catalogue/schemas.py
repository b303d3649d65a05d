"""The product document the API, the Shopify mapping and the bulk import all load."""

from __future__ import annotations

from collections import Counter
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from returns_service.compiled_schemas import Schema
from returns_service.models import SKU_LENGTH
from returns_service.schemas import MAX_QUANTITY, MoneySchema, NonNegativeMoneySchema

_NAME = validate.Length(min=1, max=100)


class OptionSchema(Schema):
    """One option of a variant: ``{"name": "サイズ", "value": "M"}``."""

    name = fields.String(required=True, validate=_NAME)
    value = fields.String(required=True, validate=validate.Length(min=1, max=255))


class VariantSchema(Schema):
    """A variant as the shop describes it."""

    external_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    sku = fields.String(load_default=None, validate=validate.Length(max=SKU_LENGTH))
    title = fields.String(load_default="", validate=validate.Length(max=300))
    options = fields.List(fields.Nested(OptionSchema), load_default=list)
    price = fields.Nested(NonNegativeMoneySchema, required=True)
    presentment_prices = fields.List(fields.Nested(NonNegativeMoneySchema), load_default=list)
    inventory_item_id = fields.String(load_default=None, validate=validate.Length(max=64))
    #: Units on hand, where the sender knows them; absent leaves the count as it is.
    stock = fields.Integer(load_default=None, strict=True, validate=validate.Range(0, MAX_QUANTITY))

    @validates_schema
    def _stock_needs_sku(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("stock") is not None and not data.get("sku"):
            raise ValidationError("stock is counted per SKU: give the variant's sku", "sku")


class ProductUpsertSchema(Schema):
    """A whole product with its variants; variants left out are removed."""

    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    product_type = fields.String(load_default="", validate=validate.Length(max=100))
    tags = fields.List(fields.String(validate=validate.Length(max=100)), load_default=list)
    options = fields.List(fields.String(validate=_NAME), load_default=list)
    #: The shop's time of this version; an older one than stored is not applied.
    updated_at = fields.AwareDateTime(load_default=None)
    variants = fields.List(fields.Nested(VariantSchema), required=True)

    @validates_schema
    def _consistent(self, data: dict[str, Any], **kwargs: Any) -> None:
        variants = data.get("variants") or []
        repeated = [k for k, n in Counter(v["external_id"] for v in variants).items() if n > 1]
        if repeated:
            raise ValidationError(f"variant ids repeat: {', '.join(repeated)}", "variants")
        names = set(data.get("options") or [])
        for index, variant in enumerate(variants):
            currencies = [variant["price"]["currency"]]
            currencies += [p["currency"] for p in variant["presentment_prices"]]
            if len(set(currencies)) != len(currencies):
                raise ValidationError(
                    "one price per currency", f"variants.{index}.presentment_prices"
                )
            unknown = [o["name"] for o in variant["options"] if o["name"] not in names]
            if unknown:
                raise ValidationError(
                    f"options not among the product's options: {', '.join(unknown)}",
                    f"variants.{index}.options",
                )


class VariantOut(Schema):
    """A variant with its stock."""

    id = fields.Integer()
    external_id = fields.String()
    sku = fields.String(allow_none=True)
    title = fields.String()
    options = fields.List(fields.Dict())
    price = fields.Nested(MoneySchema)
    inventory_item_id = fields.String(allow_none=True)
    available = fields.Integer(
        metadata={"description": "units on hand not held for exchanges"}, allow_none=True
    )


class ProductOut(Schema):
    """A product with its variants."""

    id = fields.Integer()
    external_id = fields.String()
    title = fields.String()
    product_type = fields.String()
    tags = fields.List(fields.String())
    options = fields.List(fields.String())
    deleted = fields.Boolean()
    variants = fields.List(fields.Nested(VariantOut))
