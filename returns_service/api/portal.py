"""Customer access: open one order with its number and e-mail (or phone), see what can return."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from limits import parse
from marshmallow import ValidationError, fields, validate, validates_schema

from returns_service.api.docs import SECURITY
from returns_service.auth.access import add_principal_resolver, current_principal, require_roles
from returns_service.compiled_schemas import Schema
from returns_service.errors import NotFound
from returns_service.extensions import db, limiter
from returns_service.models import utcnow
from returns_service.orders.schemas import OrderOut
from returns_service.portal import tokens
from returns_service.portal.lookup import (
    NO_MATCH,
    normalise_email,
    normalise_phone,
    order_for_contact,
    order_limit_key,
)
from returns_service.returns.eligibility import order_eligibility
from returns_service.returns.order_snapshot import order_snapshot
from returns_service.schemas import Text

blp = Blueprint(
    "portal", __name__, url_prefix="/api/v1/portal", description="Customer access to one order"
)
add_principal_resolver(tokens.principal_for)


class SessionRequestSchema(Schema):
    """The order number and the e-mail address or phone number on the order."""

    order_number = Text(required=True, validate=validate.Length(min=1, max=64))
    email = Text(load_default=None, allow_none=True, max_length=320)
    phone = Text(load_default=None, allow_none=True, max_length=32)

    @validates_schema
    def _one_contact(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not normalise_email(data.get("email")) and not normalise_phone(data.get("phone")):
            raise ValidationError("give the e-mail address or the phone number", "email")


class SessionSchema(Schema):
    """A token for one order."""

    token = fields.String()
    expires_in = fields.Integer(metadata={"description": "seconds"})


class LineEligibilityOut(Schema):
    """Whether a line can be returned."""

    line_id = fields.Integer()
    returnable_quantity = fields.Integer()
    eligible = fields.Boolean()
    reason = fields.String(allow_none=True)
    message = fields.Dict(allow_none=True)


class PortalOrderOut(OrderOut):
    """The order with each line's eligibility."""

    eligibility = fields.List(fields.Nested(LineEligibilityOut))


class _OrderWithEligibility:
    """An order seen through the portal: the order's attributes plus ``eligibility``."""

    def __init__(self, order: Any, eligibility: list[Any]) -> None:
        self._order = order
        self.eligibility = eligibility

    def __getattr__(self, name: str) -> Any:
        return getattr(self._order, name)


def _hit_order_limit(number: str) -> None:
    """Count one attempt on this order number; 429 past the limit.

    Called after the per-address limit passed, so a client already refused costs no key.
    The key is a hash: bounded, whatever was typed.
    """
    prefix = current_app.config["RATELIMIT_KEY_PREFIX"]
    if not limiter.limiter.hit(parse(_rate()), prefix, order_limit_key(number)):
        abort(429, message="too many attempts for this order number; try again later")


def _rate() -> str:
    return current_app.config["PORTAL_RATE_LIMIT"]


@blp.route("/session")
class PortalSession(MethodView):
    """Open an order."""

    @blp.arguments(SessionRequestSchema)
    @blp.response(201, SessionSchema)
    @blp.alt_response(404, description=NO_MATCH + " (the same for either mistake)")
    @blp.alt_response(422, description="A field is missing")
    @blp.alt_response(429, description="Too many attempts from this address or for this order")
    @limiter.limit(_rate)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Exchange the order number and contact for a token good for this order only."""
        _hit_order_limit(data["order_number"])
        order = order_for_contact(
            db.session, data["order_number"], email=data["email"], phone=data["phone"]
        )
        if order is None:
            raise NotFound(NO_MATCH)
        return {
            "token": tokens.issue(order.id),
            "expires_in": current_app.config["PORTAL_TOKEN_MINUTES"] * 60,
        }


@blp.route("/order")
class PortalOrder(MethodView):
    """The customer's order."""

    @require_roles(customer=True)
    @blp.doc(security=SECURITY)
    @blp.response(200, PortalOrderOut)
    @blp.alt_response(401, description="No valid customer token")
    def get(self) -> Any:
        """The order, with each line's returnable quantity and eligibility."""
        principal = current_principal()
        if principal.order_id is None:
            raise NotFound("staff tokens open orders through /api/v1/orders")
        with db.connection_without_transaction() as connection:
            loaded = order_snapshot(connection, principal.order_id)
        if loaded is None:
            raise NotFound(NO_MATCH)
        order, returned = loaded
        config = current_app.config
        eligibility = order_eligibility(
            db.session, order, utcnow(), config["RETURN_WINDOW_DAYS"], config["TIMEZONE"], returned
        )
        return _OrderWithEligibility(order, eligibility)
