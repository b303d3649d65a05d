"""Jobs of the return workflow: carrier pickups, restocks, exchange shipments, expiry."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session, joinedload

from returns_service.returns import exchanges, operations, parcels
from returns_service.returns.models import (
    Exchange,
    Pickup,
    PickupStatus,
    ReturnLine,
    ReturnRequest,
    ReturnStatus,
)
from returns_service.shop import ShopSettings

#: A label is bought only while the parcel is still to be sent.
LABEL_STATUSES = (ReturnStatus.APPROVED, ReturnStatus.AWAITING_PARCEL)


@cache
def _label_return() -> Select[tuple[ReturnRequest]]:
    """The label goes from the order's address: the return is read with its order, locking
    the return. Built once, on first use (building costs more than running it cached)."""
    return (
        select(ReturnRequest)
        .where(ReturnRequest.id == bindparam("return_id"))
        .options(joinedload(ReturnRequest.order))
        .with_for_update(of=ReturnRequest)
        .execution_options(populate_existing=True)
    )


def create_return_label(
    session: Session, now: datetime, settings: ShopSettings, return_id: int
) -> None:
    """Buy the label a drop-off customer prints, once."""
    request = session.scalars(_label_return(), {"return_id": return_id}).one_or_none()
    if request is None or request.status not in LABEL_STATUSES:
        return
    parcels.buy_label(session, now, request, parcels.carrier_adapter(settings.config), settings)


def request_pickup(session: Session, now: datetime, settings: ShopSettings, pickup_id: int) -> None:
    """Book the carrier's collection of a return parcel, once per pickup."""
    pickup = session.get(Pickup, pickup_id, with_for_update=True)
    if pickup is None or pickup.status is not PickupStatus.REQUESTED:
        return
    parcels.book_pickup(session, now, pickup, parcels.carrier_adapter(settings.config), settings)


def cancel_pickup(session: Session, now: datetime, settings: ShopSettings, pickup_id: int) -> None:
    """Call off with the carrier a collection no longer needed (see ``release_pickup``)."""
    pickup = session.get(Pickup, pickup_id)
    if pickup is None or pickup.status is not PickupStatus.CANCELLED:
        return
    parcels.cancel_pickup(pickup, parcels.carrier_adapter(settings.config))


def restock(session: Session, now: datetime, settings: ShopSettings, return_line_id: int) -> None:
    """Put an inspected line's units back in stock, once."""
    line = session.get(ReturnLine, return_line_id)
    if line is not None:
        operations.restock_line(session, now, line)


def create_exchange_shipment(
    session: Session, now: datetime, settings: ShopSettings, exchange_id: int
) -> None:
    """Hand the replacement's held units to the warehouse and ask it to ship them, once."""
    exchange = session.get(Exchange, exchange_id, with_for_update=True)
    if exchange is not None:
        exchanges.hand_over_replacement(session, now, exchange, settings.config)


def expire_unsent_returns(session: Session, now: datetime, settings: ShopSettings) -> None:
    """Periodically: expire approved returns whose parcel was never sent."""
    operations.expire_due(session, now)
