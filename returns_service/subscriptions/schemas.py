"""What the subscriptions API accepts and answers."""

from __future__ import annotations

from marshmallow import fields, validate

from returns_service.compiled_schemas import Schema
from returns_service.models import SKU_LENGTH
from returns_service.returns.schemas import EventOut
from returns_service.schemas import Text
from returns_service.subscriptions.models import CancelReason, FlowStatus


class FlowStartSchema(Schema):
    """Why the customer wants to stop."""

    reason = fields.Enum(CancelReason, by_value=True, required=True)
    comment = Text(load_default="", validate=validate.Length(max=2000))
    next_delivery_date = fields.Date(
        load_default=None,
        metadata={"description": "The next delivery as the storefront knows it, if it does"},
    )


class ChosenProductSchema(Schema):
    """The product a switch goes to."""

    sku = Text(required=True, validate=validate.Length(min=1, max=SKU_LENGTH))
    name = Text(load_default=None, validate=validate.Length(max=200))


class AcceptSchema(Schema):
    """The offer the customer takes, and their choice within it."""

    offer_id = Text(required=True, validate=validate.Length(min=1, max=40))
    months = fields.Integer(
        load_default=None, strict=True, metadata={"description": "For a pause: how long"}
    )
    product = fields.Nested(
        ChosenProductSchema, load_default=None, metadata={"description": "For a switch"}
    )


class ConfirmSchema(Schema):
    """Nothing to say: the customer confirms the cancellation."""


class OfferOut(Schema):
    """An offer as the customer sees it."""

    id = fields.String()
    type = fields.String()
    title = fields.String()
    months = fields.List(fields.Integer())
    products = fields.List(fields.Dict())
    percent = fields.Integer()
    deliveries = fields.Integer()


class FlowOut(Schema):
    """A subscription cancellation flow, with its offers and outcome."""

    id = fields.Integer()
    subscription_reference = fields.String(allow_none=True)
    subscription_name = fields.String()
    status = fields.Enum(FlowStatus, by_value=True)
    reason = fields.Enum(CancelReason, by_value=True)
    comment = fields.String()
    message = fields.String()
    offers = fields.List(fields.Nested(OfferOut))
    accepted_offer = fields.Dict(allow_none=True)
    outcome = fields.Dict(allow_none=True)
    next_delivery = fields.Date(allow_none=True)
    created_at = fields.AwareDateTime()
    closed_at = fields.AwareDateTime(allow_none=True)
    timeline = fields.List(fields.Nested(EventOut))


class ReasonOffersOut(Schema):
    """The offers in force for one reason."""

    reason = fields.String()
    offers = fields.List(fields.Dict())
    customised = fields.Boolean(metadata={"description": "False: the shipped defaults"})
    updated_by = fields.String(allow_none=True)
    updated_at = fields.AwareDateTime(allow_none=True)


class SaveRateArgs(Schema):
    """Flows started in [since, until); all of them when left out."""

    since = fields.AwareDateTime(load_default=None)
    until = fields.AwareDateTime(load_default=None)


class ReasonRateOut(Schema):
    """Save rate of one reason."""

    reason = fields.String()
    started = fields.Integer()
    saved = fields.Integer()
    cancelled = fields.Integer()
    open = fields.Integer()
    superseded = fields.Integer()
    save_rate = fields.Float(allow_none=True, metadata={"description": "saved / started"})


class SaveRatesOut(Schema):
    """Save rates per reason and overall."""

    since = fields.AwareDateTime(allow_none=True)
    until = fields.AwareDateTime(allow_none=True)
    reasons = fields.List(fields.Nested(ReasonRateOut))
    total = fields.Nested(ReasonRateOut)
