"""What the returns API accepts and answers."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from returns_service.compiled_schemas import Schema
from returns_service.models import SKU_LENGTH
from returns_service.orders.schemas import AddressSchema
from returns_service.refunds.schemas import RefundOut
from returns_service.returns.models import (
    Disposition,
    ExchangeStatus,
    ItemCondition,
    LineOutcome,
    PickupStatus,
    Resolution,
    ReturnMethod,
    ReturnStatus,
)
from returns_service.schemas import MoneyField, Text, row_id
from rules.facts import RETURN_REASONS


class ReturnLineInput(Schema):
    """One line to return."""

    line_id = row_id(required=True)
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    reason = Text(required=True, validate=validate.OneOf(RETURN_REASONS))
    comment = Text(load_default="", validate=validate.Length(max=2000))
    exchange_sku = Text(load_default=None, validate=validate.Length(max=SKU_LENGTH))
    #: The replacement chosen among the line's exchange options (preferred to a bare SKU).
    exchange_variant_id = row_id(load_default=None)


class MethodInput(Schema):
    """How the parcel comes back: a pickup (date, slot, address) or a drop-off.

    Where the rules require one for the lines' reasons, the other is refused (422).
    """

    type = Text(required=True, validate=validate.OneOf(("pickup", "dropoff")))
    date = fields.Date(load_default=None)
    slot = Text(load_default=None, validate=validate.Length(max=32))
    address = fields.Nested(AddressSchema, load_default=None)

    @validates_schema
    def _pickup_has_date(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["type"] == "pickup" and data.get("date") is None:
            raise ValidationError("a pickup needs a date", "date")


class ReturnCreateSchema(Schema):
    """A customer's return request (staff add the order number)."""

    order_number = Text(load_default=None, max_length=64)
    lines = fields.List(
        fields.Nested(ReturnLineInput), required=True, validate=validate.Length(min=1)
    )
    resolution = fields.Enum(Resolution, by_value=True, required=True)
    method = fields.Nested(MethodInput, required=True)


class RejectSchema(Schema):
    """A person's rejection, with the customer's message."""

    message = Text(required=True, validate=validate.Length(min=1, max=2000))


class NoteSchema(Schema):
    """An optional note on the timeline."""

    message = Text(load_default="", validate=validate.Length(max=2000))


class ReceivedLineInput(Schema):
    """Units of a return line the warehouse found in the parcel."""

    line_id = row_id(required=True)
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))


class ReceiveSchema(Schema):
    """What came back."""

    lines = fields.List(
        fields.Nested(ReceivedLineInput), required=True, validate=validate.Length(min=1)
    )


class ExchangeShippedSchema(Schema):
    """How the replacement travels."""

    carrier = Text(required=True, validate=validate.Length(min=1, max=64))
    tracking_number = Text(load_default=None, validate=validate.Length(max=128))


class InspectedLineInput(Schema):
    """The grade and disposition of one received line."""

    line_id = row_id(required=True)
    condition = fields.Enum(ItemCondition, by_value=True, required=True)
    disposition = fields.Enum(Disposition, by_value=True, required=True)
    notes = Text(load_default="", validate=validate.Length(max=2000))


class InspectSchema(Schema):
    """The inspection of a received return."""

    lines = fields.List(
        fields.Nested(InspectedLineInput), required=True, validate=validate.Length(min=1)
    )


def _request_currency(obj: Any) -> str:
    return obj.request.order.currency


class ReturnLineOut(Schema):
    """A return line as the API shows it."""

    id = fields.Integer()
    line_id = fields.Integer(attribute="order_line_id")
    title = fields.Function(lambda line: line.order_line.title)
    sku = fields.Function(lambda line: line.order_line.sku)
    quantity = fields.Integer()
    reason = fields.String()
    comment = fields.String()
    exchange_sku = fields.String(allow_none=True)
    outcome = fields.Enum(LineOutcome, by_value=True)
    decision = fields.Dict()
    received_quantity = fields.Integer()
    condition = fields.Enum(ItemCondition, by_value=True, allow_none=True)
    disposition = fields.Enum(Disposition, by_value=True, allow_none=True)
    photos = fields.Function(lambda line: len(line.photos))


class PickupOut(Schema):
    """The carrier pickup of the return."""

    carrier = fields.String()
    status = fields.Function(lambda pickup: pickup.status.value)
    date = fields.Date(attribute="pickup_date", allow_none=True)
    slot = fields.String(allow_none=True)
    confirmation_number = fields.String(allow_none=True)
    failure_reason = fields.String(allow_none=True)


class ExchangeOut(Schema):
    """A replacement for an exchanged line."""

    id = fields.Integer()
    sku = fields.String()
    quantity = fields.Integer()
    status = fields.Function(lambda exchange: exchange.status.value)
    price_difference = MoneyField(lambda exchange: exchange.request.order.currency)
    carrier = fields.String(allow_none=True)
    tracking_number = fields.String(allow_none=True)
    shipped_at = fields.AwareDateTime(allow_none=True)
    failure_reason = fields.String(allow_none=True)


class EventOut(Schema):
    """One step on the timeline."""

    at = fields.AwareDateTime(attribute="created_at")
    kind = fields.String()
    actor = fields.String()
    message = fields.String()
    data = fields.Dict()


class DecisionOut(Schema):
    """The decision the customer sees."""

    outcome = fields.String()
    rule = fields.String(allow_none=True)
    message = fields.String(allow_none=True)


class ReturnOut(Schema):
    """A return with everything that happened to it."""

    rma = fields.String()
    order_number = fields.Function(lambda r: r.order.number)
    status = fields.Enum(ReturnStatus, by_value=True)
    resolution = fields.Enum(Resolution, by_value=True)
    method = fields.Enum(ReturnMethod, by_value=True)
    decision = fields.Nested(DecisionOut)
    next_steps = fields.String()
    restocking_fee = MoneyField(lambda r: r.order.currency)
    refund_timing = fields.String(allow_none=True)
    carrier = fields.String(allow_none=True)
    tracking_number = fields.String(allow_none=True)
    label_url = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    expires_at = fields.AwareDateTime(allow_none=True)
    lines = fields.List(fields.Nested(ReturnLineOut))
    refunds = fields.List(fields.Nested(RefundOut))
    pickup = fields.Nested(PickupOut, allow_none=True)
    exchanges = fields.List(fields.Nested(ExchangeOut))
    timeline = fields.List(fields.Nested(EventOut))


class ReturnQueryArgsSchema(Schema):
    """Filters of the returns list."""

    status = fields.List(fields.Enum(ReturnStatus, by_value=True), load_default=None)
    order_number = Text(load_default=None, max_length=64)
    #: ``failed``: the returns whose carrier pickup gave up, to retry.
    pickup_status = fields.Enum(PickupStatus, by_value=True, load_default=None)
    #: ``shipment_failed``: the exchanges whose replacement could not be handed over.
    exchange_status = fields.Enum(ExchangeStatus, by_value=True, load_default=None)


class ReturnSummaryOut(Schema):
    """A return in a list: enough to pick it from a queue."""

    rma = fields.String()
    order_number = fields.Function(lambda r: r.order.number)
    status = fields.Enum(ReturnStatus, by_value=True)
    resolution = fields.Enum(Resolution, by_value=True)
    method = fields.Enum(ReturnMethod, by_value=True)
    outcome = fields.Function(lambda r: r.decision.get("outcome"))
    rules = fields.Function(lambda r: r.decision.get("rules", []))
    lines = fields.Function(lambda r: len(r.lines))
    created_at = fields.AwareDateTime()
    expires_at = fields.AwareDateTime(allow_none=True)
