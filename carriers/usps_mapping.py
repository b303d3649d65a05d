"""Pure mapping of USPS Tracking API (v3) responses to our tracking updates."""

from datetime import UTC, datetime
from typing import Any

from carriers.models import TrackingEvent, TrackingUpdate
from carriers.status import TrackingStatus

CARRIER = "usps"

# USPS words its events ("Delivered, Parcel Locker", "Notice Left (No Authorized Recipient
# Available)") and categories ("Pre-Shipment", "Alert"); read the phrase, first match wins.
_PHRASES: tuple[tuple[str, TrackingStatus], ...] = (
    ("return to sender", TrackingStatus.RETURNED_TO_SENDER),
    ("returned to sender", TrackingStatus.RETURNED_TO_SENDER),
    ("label created", TrackingStatus.LABEL_CREATED),
    ("pre-shipment", TrackingStatus.LABEL_CREATED),
    ("awaiting item", TrackingStatus.LABEL_CREATED),
    ("notice left", TrackingStatus.EXCEPTION),
    ("attempt", TrackingStatus.EXCEPTION),
    ("alert", TrackingStatus.EXCEPTION),
    ("undeliverable", TrackingStatus.EXCEPTION),
    ("refused", TrackingStatus.EXCEPTION),
    ("no access", TrackingStatus.EXCEPTION),
    ("insufficient address", TrackingStatus.EXCEPTION),
    ("delivered", TrackingStatus.DELIVERED),
    ("out for delivery", TrackingStatus.OUT_FOR_DELIVERY),
    ("available for pickup", TrackingStatus.OUT_FOR_DELIVERY),
)


def status_from_text(text: str | None) -> TrackingStatus:
    """Our status for a USPS event type or status category; any other scan means in transit."""
    lowered = (text or "").lower()
    return next(
        (status for phrase, status in _PHRASES if phrase in lowered), TrackingStatus.IN_TRANSIT
    )


def tracking_update(response: dict[str, Any]) -> TrackingUpdate:
    """A USPS tracking response as our update, events oldest first."""
    number = response.get("trackingNumber") or ""
    events = sorted(
        (_event(number, item) for item in response.get("trackingEvents") or ()),
        key=lambda event: event.occurred_at,
    )
    category = response.get("statusCategory")
    if category:
        status = status_from_text(category)
    elif events:
        status = events[-1].status
    else:
        status = TrackingStatus.PENDING
    return TrackingUpdate(
        tracking_number=number, carrier=CARRIER, status=status, events=tuple(events)
    )


def _event(number: str, item: dict[str, Any]) -> TrackingEvent:
    location = ", ".join(
        item[key]
        for key in ("eventCity", "eventState", "eventZIP", "eventCountry")
        if item.get(key)
    )
    return TrackingEvent(
        tracking_number=number,
        status=status_from_text(item.get("eventType")),
        occurred_at=_occurred_at(item),
        description=item.get("eventType") or "",
        location=location,
        carrier_status=item.get("eventCode") or "",
    )


def _occurred_at(item: dict[str, Any]) -> datetime:
    # GMTTimestamp is UTC whether or not it ends in "Z".
    if item.get("GMTTimestamp"):
        return datetime.fromisoformat(item["GMTTimestamp"]).replace(tzinfo=UTC)
    # Without the GMT time, the local time plus its offset says the same thing.
    local = datetime.fromisoformat(item["eventTimestamp"] + (item.get("GMTOffset") or "+00:00"))
    return local.astimezone(UTC)
