"""Schema pieces shared by the API's domains."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from returns_service.compiled_schemas import Schema
from returns_service.money import MAX_MINOR_UNITS

#: Quantities and row ids are stored as 32-bit integers.
MAX_QUANTITY = 2**31 - 1
MAX_ID = 2**31 - 1
#: Free text longer than this is refused, unless a field sets its own limit.
MAX_TEXT = 2000

CURRENCY = validate.Regexp(r"^[A-Z]{3}$", error="must be an ISO 4217 code such as JPY")


def _no_nul(value: str) -> None:
    # PostgreSQL text cannot hold NUL; refuse it here rather than fail in the database.
    if "\x00" in value:
        raise ValidationError("must not contain a NUL character")


class Text(fields.String):
    """A string that refuses NUL characters and, unless a validator bounds it, long values."""

    def __init__(self, *, max_length: int = MAX_TEXT, **kwargs: Any) -> None:
        given = kwargs.pop("validate", None)
        validators = list(given) if isinstance(given, list | tuple) else [given] if given else []
        bounded = any(isinstance(v, validate.Length | validate.OneOf) for v in validators)
        if not bounded:
            validators.append(validate.Length(max=max_length))
        super().__init__(validate=[*validators, _no_nul], **kwargs)


def row_id(**kwargs: Any) -> fields.Integer:
    """An integer id of a stored row: positive and within the column's range."""
    return fields.Integer(strict=True, validate=validate.Range(1, MAX_ID), **kwargs)


class MoneySchema(Schema):
    """``{"amount": <integer in minor units>, "currency": "JPY"}``."""

    amount = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(-MAX_MINOR_UNITS, MAX_MINOR_UNITS, error="is too large to store"),
    )
    currency = Text(required=True, validate=[CURRENCY, validate.Length(equal=3)])


class NonNegativeMoneySchema(MoneySchema):
    """Money that cannot be below zero."""

    @validates_schema
    def _not_negative(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("amount", 0) < 0:
            raise ValidationError("must not be negative", "amount")


def money(amount: int, currency: str) -> dict[str, Any]:
    """The API's money shape."""
    return {"amount": amount, "currency": currency}


class MoneyField(fields.Field):
    """Dump an integer attribute as money, taking the currency from the object."""

    def __init__(self, currency_of: Callable[[Any], str] | None = None, **kwargs: Any) -> None:
        super().__init__(dump_only=True, **kwargs)
        self.currency_of = currency_of or (lambda obj: obj.currency)

    def serialize(self, attr: str, obj: Any, accessor: Any = None, **kwargs: Any) -> Any:
        amount = self.get_value(obj, attr, accessor=accessor)
        return None if amount is None else money(amount, self.currency_of(obj))
