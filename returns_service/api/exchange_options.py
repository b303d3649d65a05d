"""The exchange picker's read: what a line of the customer's order can be exchanged for."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from returns_service.api.docs import SECURITY
from returns_service.auth.access import current_principal, require_roles
from returns_service.catalogue.exchange_options import exchange_options
from returns_service.compiled_schemas import Schema
from returns_service.errors import NotFound
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.orders.models import OrderLine
from returns_service.returns.exchanges import offered_scope
from returns_service.schemas import MAX_ID, MoneySchema, money
from rules.facts import RETURN_REASONS

blp = Blueprint(
    "exchange_options",
    __name__,
    url_prefix="/api/v1/portal",
    description="What the customer can choose as a replacement",
)


class ExchangeOptionsQuery(Schema):
    """Which line of the order, and why it goes back (other products may depend on it)."""

    line_id = fields.Integer(required=True, validate=validate.Range(1, MAX_ID))
    reason = fields.String(load_default=None, validate=validate.OneOf(RETURN_REASONS))


class ExchangeOptionOut(Schema):
    """A variant the customer can choose, with its stock and price difference."""

    variant_id = fields.Integer()
    sku = fields.String()
    product_external_id = fields.String()
    product_title = fields.String()
    title = fields.String()
    options = fields.List(fields.Dict(), metadata={"description": "[{name, value}]"})
    available = fields.Integer()
    in_stock = fields.Boolean()
    price_difference = fields.Nested(
        MoneySchema, metadata={"description": "per unit: positive costs more than was paid"}
    )
    ordered = fields.Boolean(metadata={"description": "the variant the customer bought"})


class ExchangeProductOut(Schema):
    """The product the line is of."""

    external_id = fields.String()
    title = fields.String()
    options = fields.List(fields.String())


class ExchangeOptionsOut(Schema):
    """The line, its product and the variants to choose from (empty: no exchange offered)."""

    line_id = fields.Integer()
    title = fields.String()
    product = fields.Nested(ExchangeProductOut, allow_none=True)
    options = fields.List(fields.Nested(ExchangeOptionOut))


@blp.route("/exchange-options")
class ExchangeOptions(MethodView):
    """The replacements offered for one line of the customer's order."""

    @require_roles(customer=True)
    @blp.doc(security=SECURITY)
    @blp.arguments(ExchangeOptionsQuery, location="query")
    @blp.response(200, ExchangeOptionsOut)
    @blp.alt_response(401, description="No valid customer token")
    @blp.alt_response(404, description="The order has no such line")
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """The product's variants with their options, stock and price difference; with a
        ``reason``, also other products where the rule for it allows (``exchange_scope``)."""
        order_id = current_principal().order_id
        line = db.session.get(OrderLine, query["line_id"])
        if order_id is None or line is None or line.order_id != order_id:
            raise NotFound(f"the order has no line {query['line_id']}")
        timezone = current_app.config["TIMEZONE"]
        scope = offered_scope(db.session, utcnow(), timezone, line, query["reason"])
        found = exchange_options(db.session, line, scope)
        currency = line.order.currency
        product = found.product
        return {
            "line_id": line.id,
            "title": line.title,
            "product": None
            if product is None
            else {
                "external_id": product.external_id,
                "title": product.title,
                "options": product.option_names,
            },
            "options": [
                {
                    "variant_id": o.variant_id,
                    "sku": o.sku,
                    "product_external_id": o.product_external_id,
                    "product_title": o.product_title,
                    "title": o.title,
                    "options": o.options,
                    "available": o.available,
                    "in_stock": o.in_stock,
                    "price_difference": money(o.price_difference, currency),
                    "ordered": o.ordered,
                }
                for o in found.options
            ],
        }
