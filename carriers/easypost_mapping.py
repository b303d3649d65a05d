"""Pure mappings between our models and EasyPost's JSON (API v2); no HTTP here."""

import hashlib
import hmac
import unicodedata
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from carriers.errors import CarrierError
from carriers.models import (
    Address,
    Parcel,
    PickupConfirmation,
    PickupRequest,
    PickupStatus,
    ReturnLabel,
    ReturnLabelRequest,
    TrackingEvent,
    TrackingUpdate,
)
from carriers.money import to_minor_units
from carriers.status import TrackingStatus

SIGNATURE_HEADER = "X-Hmac-Signature"
_SIGNATURE_PREFIX = "hmac-sha256-hex="
_GRAMS_PER_OUNCE = Decimal("28.349523125")
_CM_PER_INCH = Decimal("2.54")

# https://docs.easypost.com/docs/trackers : Tracker.status and TrackingDetail.status.
TRACKER_STATUS = {
    "unknown": TrackingStatus.PENDING,
    "pre_transit": TrackingStatus.LABEL_CREATED,
    "in_transit": TrackingStatus.IN_TRANSIT,
    "out_for_delivery": TrackingStatus.OUT_FOR_DELIVERY,
    "delivered": TrackingStatus.DELIVERED,
    # Waiting at a pickup point for the recipient: the last step before delivery.
    "available_for_pickup": TrackingStatus.OUT_FOR_DELIVERY,
    "return_to_sender": TrackingStatus.RETURNED_TO_SENDER,
    "failure": TrackingStatus.EXCEPTION,
    "cancelled": TrackingStatus.EXCEPTION,
    "error": TrackingStatus.EXCEPTION,
}

_PICKUP_STATUS = {
    "scheduled": PickupStatus.SCHEDULED,
    "canceled": PickupStatus.CANCELLED,
    "cancelled": PickupStatus.CANCELLED,
}


def address_body(address: Address) -> dict[str, str]:
    """Our address as an EasyPost Address object, leaving out empty fields."""
    fields = {
        "name": address.name,
        "company": address.company,
        "street1": address.address1,
        "street2": address.address2,
        "city": address.city,
        "state": address.province,
        "zip": address.postal_code,
        "country": address.country,
        "phone": address.phone,
        "email": address.email,
    }
    return {key: value for key, value in fields.items() if value}


def parcel_body(parcel: Parcel) -> dict[str, float]:
    """Our parcel as an EasyPost Parcel object, which counts in ounces and inches."""
    if parcel.weight_grams is None:
        raise CarrierError("EasyPost needs the parcel's weight to rate a shipment")
    body = {
        "weight": _rounded(max(Decimal(parcel.weight_grams) / _GRAMS_PER_OUNCE, Decimal("0.1")))
    }
    for key, value in (
        ("length", parcel.length_cm),
        ("width", parcel.width_cm),
        ("height", parcel.height_cm),
    ):
        if value is not None:
            body[key] = _rounded(Decimal(str(value)) / _CM_PER_INCH)
    return body


def pickup_body(request: PickupRequest, window: tuple[datetime, datetime]) -> dict[str, Any]:
    """The ``POST /v2/pickups`` body for a request, with its window already resolved."""
    pickup: dict[str, Any] = {
        "address": address_body(request.address),
        "min_datetime": window[0].isoformat(),
        "max_datetime": window[1].isoformat(),
        "instructions": request.instructions,
        "reference": request.reference,
        "is_account_address": False,
    }
    # EasyPost books pickups for shipments it made; parcels alone are not enough.
    if request.shipment_id:
        pickup["shipment"] = {"id": request.shipment_id}
    return {"pickup": pickup}


def cheapest_rate(rates: list[dict[str, Any]], messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The lowest of EasyPost's rates; when there is none, say why with EasyPost's messages."""
    if not rates:
        why = "; ".join(str(message.get("message")) for message in messages) or "no reason given"
        raise CarrierError(f"EasyPost offered no rates: {why}")
    return min(rates, key=lambda rate: Decimal(str(rate["rate"])))


def pickup_buy_body(rate: dict[str, Any]) -> dict[str, str]:
    """The ``POST /v2/pickups/{id}/buy`` body choosing a pickup rate."""
    return {"carrier": rate["carrier"], "service": rate["service"]}


def pickup_confirmation(pickup: dict[str, Any], *, carrier: str, day: date) -> PickupConfirmation:
    """A Pickup object as our confirmation of a pickup on ``day`` by ``carrier``."""
    return PickupConfirmation(
        carrier=carrier,
        pickup_id=pickup["id"],
        confirmation_number=pickup.get("confirmation") or "",
        date=day,
        window_start=parse_time(pickup.get("min_datetime")),
        window_end=parse_time(pickup.get("max_datetime")),
        status=_PICKUP_STATUS.get(pickup.get("status") or "", PickupStatus.UNKNOWN),
        raw=pickup,
    )


def shipment_body(request: ReturnLabelRequest) -> dict[str, Any]:
    """The ``POST /v2/shipments`` body for a return label."""
    # EasyPost wants a return described like its outbound shipment (to the customer, from
    # the warehouse) and swaps the two itself when ``is_return`` is set.
    return {
        "shipment": {
            "to_address": address_body(request.from_address),
            "from_address": address_body(request.to_address),
            "parcel": parcel_body(request.parcel),
            "is_return": True,
            "reference": request.reference,
        }
    }


def shipment_buy_body(rate: dict[str, Any]) -> dict[str, Any]:
    """The ``POST /v2/shipments/{id}/buy`` body choosing a rate."""
    return {"rate": {"id": rate["id"]}}


def return_label(shipment: dict[str, Any]) -> ReturnLabel:
    """A bought Shipment object as our return label."""
    label = shipment.get("postage_label") or {}
    if not label.get("label_url"):
        raise CarrierError(f"EasyPost shipment {shipment.get('id')} has no label yet")
    rate = shipment.get("selected_rate") or {}
    currency = rate.get("currency")
    amount = rate.get("rate")
    return ReturnLabel(
        carrier=rate.get("carrier") or "",
        shipment_id=shipment["id"],
        tracking_number=shipment.get("tracking_code") or "",
        label_url=label["label_url"],
        rate_amount=to_minor_units(amount, currency) if amount and currency else None,
        rate_currency=currency if amount and currency else None,
        raw=shipment,
    )


def tracker_body(tracking_number: str, carrier_code: str | None) -> dict[str, Any]:
    """The ``POST /v2/trackers`` body; without a carrier EasyPost guesses it from the code."""
    tracker = {"tracking_code": tracking_number}
    if carrier_code:
        tracker["carrier"] = carrier_code
    return {"tracker": tracker}


def tracking_status(status: str | None) -> TrackingStatus:
    """EasyPost's tracker status as ours; a word EasyPost adds later counts as pending."""
    return TRACKER_STATUS.get(status or "unknown", TrackingStatus.PENDING)


def tracking_update(tracker: dict[str, Any]) -> TrackingUpdate:
    """A Tracker object as our tracking update, events oldest first."""
    code = tracker["tracking_code"]
    events = sorted(
        (_event(code, detail) for detail in tracker.get("tracking_details") or ()),
        key=lambda event: event.occurred_at,
    )
    return TrackingUpdate(
        tracking_number=code,
        carrier=tracker.get("carrier") or "",
        status=tracking_status(tracker.get("status")),
        events=tuple(events),
        est_delivery=parse_time(tracker.get("est_delivery_date")),
    )


def tracking_update_from_event(event: dict[str, Any]) -> TrackingUpdate | None:
    """The tracker in an EasyPost webhook Event; None for events about anything else."""
    result = event.get("result") or {}
    description = event.get("description") or ""
    if not description.startswith("tracker.") or result.get("object") != "Tracker":
        return None
    return tracking_update(result)


def signature_matches(secret: str, body: bytes, header: str | None) -> bool:
    """Check ``X-Hmac-Signature``: ``hmac-sha256-hex=`` + hex HMAC-SHA256 of the raw body."""
    if not header:
        return False
    # EasyPost's own client libraries NFKD-normalise the secret before using it as the key.
    key = unicodedata.normalize("NFKD", secret).encode()
    expected = _SIGNATURE_PREFIX + hmac.new(key, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.strip())


def error_detail(body: Any) -> str | None:
    """EasyPost's error message (``{"error": {"code", "message"}}``), if the body has one."""
    if not isinstance(body, dict) or not isinstance(body.get("error"), dict):
        return None
    error = body["error"]
    return f"{error.get('code', '')}: {error.get('message', '')}".strip(": ")


def parse_time(value: str | None) -> datetime | None:
    """An EasyPost timestamp as an aware UTC datetime; a time without a zone is UTC."""
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _event(tracking_number: str, detail: dict[str, Any]) -> TrackingEvent:
    place = detail.get("tracking_location") or {}
    location = ", ".join(
        str(place[key]) for key in ("city", "state", "zip", "country") if place.get(key)
    )
    occurred_at = parse_time(detail.get("datetime"))
    if occurred_at is None:
        raise CarrierError(f"EasyPost tracking detail for {tracking_number} has no datetime")
    return TrackingEvent(
        tracking_number=tracking_number,
        status=tracking_status(detail.get("status")),
        occurred_at=occurred_at,
        description=detail.get("message") or detail.get("description") or "",
        location=location,
        carrier_status=detail.get("status") or "",
    )


def _rounded(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.1")))
