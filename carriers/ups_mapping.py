"""Pure mapping of UPS Track API (v1) responses to our tracking updates."""

from datetime import UTC, datetime, tzinfo
from typing import Any

from carriers.models import TrackingEvent, TrackingUpdate
from carriers.status import TrackingStatus

CARRIER = "ups"

# UPS activity ``status.type``: the category of a scan, steadier than its many codes.
STATUS_TYPE = {
    "M": TrackingStatus.LABEL_CREATED,  # manifest: billing information received
    "MV": TrackingStatus.EXCEPTION,  # manifest voided
    "P": TrackingStatus.IN_TRANSIT,  # picked up
    "I": TrackingStatus.IN_TRANSIT,
    "O": TrackingStatus.OUT_FOR_DELIVERY,
    "D": TrackingStatus.DELIVERED,
    "X": TrackingStatus.EXCEPTION,
    "RS": TrackingStatus.RETURNED_TO_SENDER,
}


def status_from_type(status_type: str | None) -> TrackingStatus:
    """Our status for a UPS status type; an unknown type is a scan, so the parcel is moving."""
    return STATUS_TYPE.get((status_type or "").upper(), TrackingStatus.IN_TRANSIT)


def tracking_updates(response: dict[str, Any], *, local_tz: tzinfo = UTC) -> list[TrackingUpdate]:
    """One update per package in a ``trackResponse``.

    UPS gives each activity's date and time in the scan's local time with no offset;
    ``local_tz`` says how to read them (UTC unless the caller knows better).
    """
    updates = []
    for shipment in response.get("trackResponse", {}).get("shipment", []):
        for package in shipment.get("package", []):
            number = package.get("trackingNumber") or shipment.get("inquiryNumber") or ""
            events = sorted(
                (_event(number, activity, local_tz) for activity in package.get("activity", [])),
                key=lambda event: event.occurred_at,
            )
            current = package.get("currentStatus")
            if current:
                status = status_from_type(current.get("type"))
            elif events:
                status = events[-1].status
            else:
                status = TrackingStatus.PENDING
            updates.append(
                TrackingUpdate(
                    tracking_number=number, carrier=CARRIER, status=status, events=tuple(events)
                )
            )
    return updates


def _event(number: str, activity: dict[str, Any], local_tz: tzinfo) -> TrackingEvent:
    status = activity.get("status") or {}
    local = datetime.strptime(activity["date"] + activity.get("time", "000000"), "%Y%m%d%H%M%S")
    address = (activity.get("location") or {}).get("address") or {}
    location = ", ".join(
        address[key]
        for key in ("city", "stateProvince", "postalCode", "countryCode")
        if address.get(key)
    )
    return TrackingEvent(
        tracking_number=number,
        status=status_from_type(status.get("type")),
        occurred_at=local.replace(tzinfo=local_tz).astimezone(UTC),
        description=status.get("description") or "",
        location=location,
        carrier_status=status.get("code") or "",
    )
