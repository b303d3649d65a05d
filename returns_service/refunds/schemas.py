"""What the API reads and answers about refunds and store credit."""

from __future__ import annotations

from marshmallow import fields, validate

from returns_service.compiled_schemas import Schema
from returns_service.refunds.models import RefundMethod, RefundStatus
from returns_service.schemas import MoneyField


class RefundOut(Schema):
    """A refund of the return."""

    id = fields.Integer()
    amount = MoneyField()
    method = fields.Function(lambda refund: refund.method.value)
    provider = fields.String()
    status = fields.Function(lambda refund: refund.status.value)
    failure_reason = fields.String(allow_none=True)
    issued_at = fields.AwareDateTime(allow_none=True)


class StaffRefundOut(Schema):
    """A refund as staff see it."""

    id = fields.Integer()
    order_number = fields.Function(lambda refund: refund.order.number)
    order_external_id = fields.Function(lambda refund: refund.order.external_id)
    rma = fields.Function(lambda r: r.return_request.rma if r.return_request else None)
    amount = MoneyField()
    method = fields.Enum(RefundMethod, by_value=True)
    provider = fields.String()
    status = fields.Enum(RefundStatus, by_value=True)
    failure_reason = fields.String(allow_none=True)
    provider_reference = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    issued_at = fields.AwareDateTime(allow_none=True)


class RefundQueryArgs(Schema):
    """Filters of the refunds list."""

    status = fields.Enum(RefundStatus, by_value=True, load_default=None)
    order = fields.String(load_default=None, metadata={"description": "The order's external id"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class MarkDoneSchema(Schema):
    """What staff did by hand."""

    reference = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=128),
        metadata={"description": "The payment system's reference of the refund"},
    )
    message = fields.String(load_default="", validate=validate.Length(max=2000))


class RetrySchema(Schema):
    """Why the refund is sent again."""

    message = fields.String(load_default="", validate=validate.Length(max=2000))


class EntryOut(Schema):
    """One movement on the account."""

    amount = fields.Integer()
    note = fields.String()
    created_at = fields.AwareDateTime()


class AccountOut(Schema):
    """A store-credit account and its balance."""

    code = fields.String()
    balance = fields.Dict()
    entries = fields.List(fields.Nested(EntryOut))


class RedeemSchema(Schema):
    """Spend some of the credit."""

    amount = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    note = fields.String(load_default="", validate=validate.Length(max=200))
