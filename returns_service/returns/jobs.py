"""Jobs of the return workflow: carrier pickups, restocks, exchange shipments, expiry."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

import carriers
from returns_service import warehouse
from returns_service.inventory import operations as stock
from returns_service.inventory.models import Reservation, ReservationStatus
from returns_service.returns import parcels, states
from returns_service.returns.models import (
    Exchange,
    ExchangeStatus,
    Pickup,
    PickupStatus,
    ReturnLine,
    ReturnRequest,
    ReturnStatus,
)
from returns_service.returns.operations import expire_due

#: A label is bought only while the parcel is still to be sent.
LABEL_STATUSES = (ReturnStatus.APPROVED, ReturnStatus.AWAITING_PARCEL)


def create_return_label(session: Session, now: datetime, return_id: int) -> None:
    """Buy the label a drop-off customer prints, once."""
    request = session.get(ReturnRequest, return_id, with_for_update=True)
    if request is None or request.status not in LABEL_STATUSES:
        return
    config = current_app.config
    parcels.buy_label(session, now, request, parcels.carrier_adapter(config), config)


def request_pickup(session: Session, now: datetime, pickup_id: int) -> None:
    """Buy the return label and book the carrier's collection, once per pickup.

    Both calls carry a reference derived from our ids, which the carrier uses as its
    idempotency key, so a retry returns the same label and booking.
    """
    pickup = session.get(Pickup, pickup_id, with_for_update=True)
    if pickup is None or pickup.status is not PickupStatus.REQUESTED:
        return
    request = pickup.request
    config = current_app.config
    adapter = parcels.carrier_adapter(config)
    parcels.buy_label(session, now, request, adapter, config)
    with parcels.carrier_errors():
        confirmation = adapter.request_pickup(
            carriers.PickupRequest(
                reference=f"pickup-{pickup.id}",
                address=parcels.address(pickup.address),
                date=pickup.pickup_date or now.date(),
                slot=pickup.slot,
                shipment_id=request.carrier_shipment_id,
            )
        )
    pickup.carrier = adapter.name
    pickup.confirmation_number = confirmation.confirmation_number
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


def restock(session: Session, now: datetime, return_line_id: int) -> None:
    """Put an inspected line's units back in stock, once."""
    line = session.get(ReturnLine, return_line_id)
    if line is None:
        return
    if stock.restock(session, line.order_line.sku, line.received_quantity, line.id, now):
        states.note(
            session,
            line.request,
            "stock.restocked",
            actor="system",
            now=now,
            sku=line.order_line.sku,
            quantity=line.received_quantity,
        )


def create_exchange_shipment(session: Session, now: datetime, exchange_id: int) -> None:
    """Hand the replacement's held units to the warehouse and ask it to ship them, once."""
    exchange = session.get(Exchange, exchange_id, with_for_update=True)
    if exchange is None or exchange.status is not ExchangeStatus.SHIPMENT_REQUESTED:
        return
    reservation = session.scalar(select(Reservation).where(Reservation.exchange_id == exchange.id))
    if reservation is None or reservation.status is not ReservationStatus.HELD:
        return  # handed over already
    stock.consume(session, reservation)
    request = exchange.request
    warehouse.request_exchange_shipment(session, now, exchange, current_app.config)
    states.note(
        session,
        request,
        "exchange.shipment_requested",
        actor="system",
        now=now,
        sku=exchange.sku,
        quantity=exchange.quantity,
    )


def expire_unsent_returns(session: Session, now: datetime, config: Mapping[str, Any]) -> None:
    """Periodically: expire approved returns whose parcel was never sent."""
    expire_due(session, now)
