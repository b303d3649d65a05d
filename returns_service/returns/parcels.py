"""The return parcel at the carrier: labels, pickups, and what tracking means for a return."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import carriers
from carriers.status import TrackingStatus
from returns_service.errors import PermanentJobError
from returns_service.orders.operations import track_shipment
from returns_service.returns import operations, states
from returns_service.returns.models import Pickup, PickupStatus, ReturnRequest, ReturnStatus
from returns_service.shop import ShopSettings

#: Statuses that mean the carrier has the parcel.
MOVING = frozenset(
    {TrackingStatus.IN_TRANSIT, TrackingStatus.OUT_FOR_DELIVERY, TrackingStatus.DELIVERED}
)


def carrier_adapter(config: Mapping[str, Any]) -> carriers.CarrierAdapter:
    """The carrier adapter the shop's settings choose."""
    settings = {
        "api_base": config["EASYPOST_API_BASE"],
        "api_key": config["EASYPOST_API_KEY"],
        "webhook_secret": (
            config["EASYPOST_WEBHOOK_SECRET"]
            if config["CARRIER"] == "easypost"
            else config["SANDBOX_CARRIER_SECRET"]
        ),
        "timezone": config["TIMEZONE"],
    }
    return carriers.get_adapter(config["CARRIER"], settings)


@contextmanager
def carrier_errors() -> Iterator[None]:
    """A carrier's refusal fails the job for good; a timeout or 5xx is retried."""
    try:
        yield
    except carriers.CarrierError as exc:
        if exc.transient:
            raise
        raise PermanentJobError(str(exc)) from exc


def address(data: Mapping[str, Any]) -> carriers.Address:
    """A carrier address from the order document's address shape."""
    return carriers.Address(
        name=data.get("name") or "",
        phone=data.get("phone") or "",
        postal_code=data.get("postal_code") or "",
        country=data.get("country") or "JP",
        province=data.get("province") or "",
        city=data.get("city") or "",
        address1=data.get("address1") or "",
        address2=data.get("address2") or "",
    )


def customer_address(request: ReturnRequest) -> dict[str, Any]:
    """Where the parcel starts: the pickup address given, else the order's shipping address."""
    return request.method_details.get("address") or request.order.shipping_address


def buy_label(
    session: Session,
    now: datetime,
    request: ReturnRequest,
    adapter: carriers.CarrierAdapter,
    settings: ShopSettings,
) -> None:
    """Buy the return label once; the reference makes a retried purchase the same one."""
    if request.tracking_number:
        return
    with carrier_errors():
        label = adapter.create_return_label(
            carriers.ReturnLabelRequest(
                reference=f"return-label-{request.id}",
                from_address=address(customer_address(request)),
                to_address=address(
                    settings.return_address(request.order.shipping_address.get("country"))
                ),
                parcel=carriers.Parcel(weight_grams=settings.config["DEFAULT_PARCEL_GRAMS"]),
            )
        )
    request.carrier = adapter.name
    request.tracking_number = label.tracking_number
    request.label_url = label.label_url
    request.carrier_shipment_id = label.shipment_id
    states.note(
        session,
        request,
        "label.created",
        actor="system",
        now=now,
        carrier=adapter.name,
        tracking_number=label.tracking_number,
    )


def apply_tracking(
    session: Session,
    now: datetime,
    update: carriers.TrackingUpdate,
    settings: ShopSettings,
) -> str:
    """Move the return (or the outbound shipment) a tracking update is about.

    A first scan puts an awaiting return in transit (refunds timed on the first scan go
    out); delivery at the warehouse is recorded for the warehouse to receive the parcel.
    An outbound parcel moves through the orders' own use case, under the order's lock.
    Returns what was updated: ``return``, ``shipment`` or ``unknown``.
    """
    request = session.scalar(
        select(ReturnRequest)
        .where(ReturnRequest.tracking_number == update.tracking_number)
        .with_for_update()
    )
    if request is not None:
        _track_return(session, now, settings, request, update)
        return "return"
    delivered_at = None
    if update.status is TrackingStatus.DELIVERED:
        delivered_at = update.events[-1].occurred_at if update.events else now
    shipment = track_shipment(
        session,
        now,
        update.tracking_number,
        update.status,
        delivered_at=delivered_at,
        actor=f"carrier:{update.carrier}",
        settings=settings,
    )
    return "unknown" if shipment is None else "shipment"


def _track_return(
    session: Session,
    now: datetime,
    settings: ShopSettings,
    request: ReturnRequest,
    update: carriers.TrackingUpdate,
) -> None:
    states.note(
        session,
        request,
        "parcel.tracking",
        actor=f"carrier:{update.carrier}",
        now=now,
        status=update.status.value,
        tracking_number=update.tracking_number,
    )
    if update.status in MOVING and request.status is ReturnStatus.AWAITING_PARCEL:
        operations.mark_in_transit(
            session, now, settings, request, actor=f"carrier:{update.carrier}"
        )
    if update.status is TrackingStatus.DELIVERED and request.status is ReturnStatus.IN_TRANSIT:
        states.note(
            session,
            request,
            "parcel.delivered_to_warehouse",
            actor=f"carrier:{update.carrier}",
            now=now,
            message="the carrier delivered the parcel; the warehouse receives it next",
        )


def book_pickup(
    session: Session,
    now: datetime,
    pickup: Pickup,
    adapter: carriers.CarrierAdapter,
    settings: ShopSettings,
) -> None:
    """Buy the return label and book the carrier's collection of a requested pickup.

    Both calls carry a reference derived from our ids, which the carrier uses as its
    idempotency key, so a retry returns the same label and booking.
    """
    request = pickup.request
    buy_label(session, now, request, adapter, settings)
    with carrier_errors():
        confirmation = adapter.request_pickup(
            carriers.PickupRequest(
                reference=f"pickup-{pickup.id}",
                address=address(pickup.address),
                date=pickup.pickup_date or now.date(),
                slot=pickup.slot,
                shipment_id=request.carrier_shipment_id,
            )
        )
    pickup.carrier = adapter.name
    pickup.confirmation_number = confirmation.confirmation_number
    pickup.carrier_pickup_id = confirmation.pickup_id
    pickup.status = PickupStatus.CONFIRMED
    states.note(
        session,
        request,
        "pickup.confirmed",
        actor="system",
        now=now,
        carrier=adapter.name,
        confirmation_number=confirmation.confirmation_number,
        tracking_number=request.tracking_number,
    )


def cancel_pickup(pickup: Pickup, adapter: carriers.CarrierAdapter) -> None:
    """Call off a booked collection with the carrier (the pickup is cancelled already)."""
    if pickup.carrier_pickup_id:
        with carrier_errors():
            adapter.cancel_pickup(pickup.carrier_pickup_id)
