"""The offers shown to a customer who wants to stop a subscription, by reason.

Admins replace the offers of a reason through the API; a reason they never touched uses
:data:`DEFAULT_OFFERS`. An offer is a JSON object with an ``id`` (unique within its reason),
a ``type`` and the parameters of that type, and optionally a ``label`` in ja and en:

- ``skip``: the next delivery does not come;
- ``pause``: ``months``, the pause lengths the customer may choose from (1 to 12);
- ``switch``: ``products``, ``[{"sku", "name"}]`` to choose from (empty: any product the
  customer names);
- ``discount``: ``percent`` off (1 to 100) for ``deliveries`` deliveries (1 to 12).
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema
from sqlalchemy.orm import Session

from returns_service.compiled_schemas import Schema
from returns_service.subscriptions.models import CancelReason, OfferSet, OfferType

DEFAULT_OFFERS: dict[CancelReason, list[dict[str, Any]]] = {
    CancelReason.TOO_MUCH_PRODUCT: [
        {"id": "skip_next", "type": "skip"},
        {"id": "pause", "type": "pause", "months": [1, 2, 3]},
    ],
    CancelReason.DOES_NOT_SUIT: [{"id": "switch", "type": "switch", "products": []}],
    CancelReason.TOO_EXPENSIVE: [
        {"id": "discount_next", "type": "discount", "percent": 20, "deliveries": 1}
    ],
    CancelReason.MOVING: [],
    CancelReason.OTHER: [],
}

#: The parameters each type takes besides id, type and label.
_PARAMETERS = {
    OfferType.SKIP: set(),
    OfferType.PAUSE: {"months"},
    OfferType.SWITCH: {"products"},
    OfferType.DISCOUNT: {"percent", "deliveries"},
}


class LabelSchema(Schema):
    """An offer's title in both languages."""

    ja = fields.String(required=True, validate=validate.Length(min=1, max=200))
    en = fields.String(required=True, validate=validate.Length(min=1, max=200))


class ProductSchema(Schema):
    """A product a subscription can switch to."""

    sku = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class OfferSchema(Schema):
    """One offer; its parameters must fit its type."""

    id = fields.String(
        required=True,
        validate=validate.Regexp(r"^[a-z0-9_-]{1,40}$", error="use 1 to 40 of a-z, 0-9, _ and -"),
    )
    type = fields.Enum(OfferType, by_value=True, required=True)
    label = fields.Nested(LabelSchema)
    months = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1, max=12)),
        validate=validate.Length(min=1, max=12),
    )
    products = fields.List(fields.Nested(ProductSchema), validate=validate.Length(max=50))
    percent = fields.Integer(strict=True, validate=validate.Range(min=1, max=100))
    deliveries = fields.Integer(strict=True, validate=validate.Range(min=1, max=12))

    @validates_schema
    def _fits_type(self, data: dict[str, Any], **kwargs: Any) -> None:
        allowed = _PARAMETERS[data["type"]]
        errors = {
            key: [f"not a parameter of a {data['type'].value} offer"]
            for key in ("months", "products", "percent", "deliveries")
            if key in data and key not in allowed
        }
        if data["type"] is OfferType.PAUSE and "months" not in data:
            errors["months"] = ["a pause offers one or more lengths in months"]
        if data["type"] is OfferType.DISCOUNT and "percent" not in data:
            errors["percent"] = ["a discount needs its percentage"]
        if len(set(data.get("months", []))) != len(data.get("months", [])):
            errors["months"] = ["list each length once"]
        if errors:
            raise ValidationError(errors)


class OfferListSchema(Schema):
    """The offers of one reason, replacing what was there."""

    offers = fields.List(
        fields.Nested(OfferSchema), required=True, validate=validate.Length(max=10)
    )

    @validates_schema
    def _unique_ids(self, data: dict[str, Any], **kwargs: Any) -> None:
        ids = [offer["id"] for offer in data.get("offers", [])]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValidationError(f"offer id {repeated[0]!r} appears twice", "offers")


def normalised(offers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Loaded offers as stored: plain JSON, defaults filled in."""
    stored = []
    for offer in offers:
        item = {**offer, "type": OfferType(offer["type"]).value}
        if item["type"] == OfferType.DISCOUNT:
            item.setdefault("deliveries", 1)
        if item["type"] == OfferType.SWITCH:
            item.setdefault("products", [])
        if item["type"] == OfferType.PAUSE:
            item["months"] = sorted(item["months"])
        stored.append(item)
    return stored


def offers_for(
    session: Session, reason: CancelReason
) -> tuple[list[dict[str, Any]], OfferSet | None]:
    """The offers in force for a reason, and the admin's row if they are not the defaults."""
    chosen = session.get(OfferSet, reason)
    if chosen is not None:
        return copy.deepcopy(chosen.offers), chosen
    return copy.deepcopy(DEFAULT_OFFERS[reason]), None


def replace_offers(
    session: Session, now: datetime, reason: CancelReason, offers: list[dict[str, Any]], actor: str
) -> OfferSet:
    """An admin replaces the offers a reason is met with (an empty list: none)."""
    chosen = session.get(OfferSet, reason, with_for_update=True) or OfferSet(reason=reason)
    chosen.offers = normalised(offers)
    chosen.updated_by = actor
    chosen.updated_at = now
    session.add(chosen)
    return chosen


def reset_offers(session: Session, reason: CancelReason) -> None:
    """Go back to the shipped default offers for a reason."""
    chosen = session.get(OfferSet, reason, with_for_update=True)
    if chosen is not None:
        session.delete(chosen)


_TITLES = {
    "skip": {"ja": "次回のお届けをスキップする", "en": "Skip the next delivery"},
    "pause": {
        "ja": "お届けを{months}か月お休みする",
        "en": "Pause deliveries for {months} months",
    },
    "pause_one": {"ja": "お届けを1か月お休みする", "en": "Pause deliveries for a month"},
    "switch": {"ja": "別の商品に変更する", "en": "Switch to another product"},
    "discount": {
        "ja": "次回のお届けを{percent}%オフにする",
        "en": "{percent}% off your next delivery",
    },
    "discounts": {
        "ja": "次回から{deliveries}回のお届けを{percent}%オフにする",
        "en": "{percent}% off your next {deliveries} deliveries",
    },
}


def title(offer: dict[str, Any], locale: str) -> str:
    """What the customer reads for an offer: the admin's label, else one made from it."""
    if offer.get("label"):
        return offer["label"][locale]
    kind = offer["type"]
    if kind == OfferType.PAUSE:
        months = offer["months"]
        if months == [1]:
            return _TITLES["pause_one"][locale]
        span = str(months[0]) if len(months) == 1 else f"{months[0]}〜{months[-1]}"
        if locale == "en" and len(months) > 1:
            span = f"{months[0]} to {months[-1]}"
        return _TITLES["pause"][locale].format(months=span)
    if kind == OfferType.DISCOUNT:
        key = "discount" if offer.get("deliveries", 1) == 1 else "discounts"
        return _TITLES[key][locale].format(
            percent=offer["percent"], deliveries=offer.get("deliveries", 1)
        )
    return _TITLES[kind][locale]
