"""What the cancellations API accepts and answers."""

from __future__ import annotations

from marshmallow import fields, validate

from returns_service.cancellations.models import CancellationStatus
from returns_service.compiled_schemas import Schema
from returns_service.refunds.schemas import RefundOut
from returns_service.returns.schemas import EventOut
from returns_service.schemas import MoneyField, Text, row_id

#: Why the customer cancels.
REASONS = (
    "CHANGED_MIND",
    "ORDERED_BY_MISTAKE",
    "FOUND_CHEAPER",
    "DELIVERY_TOO_SLOW",
    "OTHER",
)


class CancellationLineInput(Schema):
    """Units of one order line to cancel."""

    line_id = row_id(required=True)
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class CancellationCreateSchema(Schema):
    """A cancellation request: some lines, or (no ``lines``) everything still on the order."""

    order_number = Text(
        load_default=None,
        max_length=64,
        metadata={"description": "Staff only: the order to cancel"},
    )
    lines = fields.List(
        fields.Nested(CancellationLineInput),
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1),
        metadata={"description": "Leave out to cancel the whole order"},
    )
    reason = Text(required=True, validate=validate.OneOf(REASONS))
    comment = Text(load_default="", validate=validate.Length(max=2000))


class CancellationQueryArgs(Schema):
    """Which cancellations to list."""

    status = fields.Enum(CancellationStatus, by_value=True, load_default=None)
    #: Only those whose cancellation at Shopify gave up, to retry.
    shopify_failed = fields.Boolean(load_default=False)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class WarehouseResultSchema(Schema):
    """The warehouse's answer to a stop request."""

    # Only JSON true and false: a stray "no" must not read as a stop.
    stopped = fields.Boolean(required=True, truthy={True}, falsy={False})
    note = Text(load_default="", validate=validate.Length(max=2000))


def _currency(obj: object) -> str:
    return obj.order.currency  # type: ignore[attr-defined]


class CancellationLineOut(Schema):
    """A cancelled line as the API shows it."""

    id = fields.Integer()
    line_id = fields.Integer(attribute="order_line_id")
    title = fields.Function(lambda line: line.order_line.title)
    sku = fields.Function(lambda line: line.order_line.sku)
    quantity = fields.Integer()


class CancellationDecisionOut(Schema):
    """What the cancellation rules decided."""

    outcome = fields.String()
    rule = fields.String(allow_none=True)
    version = fields.Integer(allow_none=True)


class CancellationSummaryOut(Schema):
    """A cancellation without its timeline, as lists show it."""

    id = fields.Integer()
    order_number = fields.Function(lambda c: c.order.number)
    status = fields.Enum(CancellationStatus, by_value=True)
    message = fields.String(allow_none=True)
    reason = fields.String()
    comment = fields.String()
    whole_order = fields.Boolean()
    closes_order = fields.Boolean(allow_none=True)
    shopify_failure = fields.String(allow_none=True)
    decision = fields.Nested(CancellationDecisionOut)
    goods_amount = MoneyField(_currency)
    shipping_amount = MoneyField(_currency)
    refund = fields.Nested(RefundOut, allow_none=True)
    refunds = fields.List(fields.Nested(RefundOut))
    return_url = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    stop_requested_at = fields.AwareDateTime(allow_none=True)
    settled_at = fields.AwareDateTime(allow_none=True)
    lines = fields.List(fields.Nested(CancellationLineOut))


class CancellationOut(CancellationSummaryOut):
    """A cancellation with everything that happened to it."""

    timeline = fields.List(fields.Nested(EventOut))
