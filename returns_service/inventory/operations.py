"""Stock use cases: hold units for an exchange, let them go, put returned units back."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from returns_service.errors import Conflict
from returns_service.inventory.models import (
    Reservation,
    ReservationStatus,
    Restock,
    StockItem,
)


def _locked_stock(session: Session, sku: str) -> StockItem | None:
    return session.scalar(select(StockItem).where(StockItem.sku == sku).with_for_update())


def _locked_or_new_stock(session: Session, sku: str) -> StockItem:
    """The SKU's stock row, locked; created empty first if the SKU has none yet."""
    stock = _locked_stock(session, sku)
    if stock is not None:
        return stock
    try:
        with session.begin_nested():
            session.add(StockItem(sku=sku, on_hand=0, reserved=0))
    except IntegrityError:
        pass  # a parallel transaction created it first; its row is locked below
    return _locked_stock(session, sku)


def set_on_hand(session: Session, sku: str, on_hand: int) -> StockItem:
    """Take the shop's count of a SKU as the units on hand; held units stay held.

    The row lock orders this after any reservation in flight, so a reservation never
    reads a half-applied count.
    """
    stock = _locked_or_new_stock(session, sku)
    stock.on_hand = on_hand
    return stock


def reserve(session: Session, sku: str, quantity: int, now: datetime) -> Reservation:
    """Hold units of a SKU; the row lock makes parallel requests for the last unit queue up."""
    stock = _locked_stock(session, sku)
    available = stock.available if stock else 0
    if available < quantity:
        raise Conflict(
            f"only {available} of {sku} in stock, {quantity} asked for", field="exchange_sku"
        )
    stock.reserved += quantity
    reservation = Reservation(sku=sku, quantity=quantity, created_at=now)
    session.add(reservation)
    return reservation


def release(session: Session, reservation: Reservation) -> None:
    """Give held units back; releasing twice changes nothing."""
    if reservation.status is not ReservationStatus.HELD:
        return
    stock = _locked_stock(session, reservation.sku)
    if stock is not None:
        stock.reserved -= reservation.quantity
    reservation.status = ReservationStatus.RELEASED


def shrink(session: Session, reservation: Reservation, quantity: int) -> None:
    """Hold only ``quantity`` units (fewer came back than were to be replaced); 0 releases."""
    if reservation.status is not ReservationStatus.HELD or quantity >= reservation.quantity:
        return
    if quantity <= 0:
        release(session, reservation)
        return
    stock = _locked_stock(session, reservation.sku)
    if stock is not None:
        stock.reserved -= reservation.quantity - quantity
    reservation.quantity = quantity


def consume(session: Session, reservation: Reservation) -> None:
    """The held units leave the warehouse (the replacement ships)."""
    if reservation.status is not ReservationStatus.HELD:
        return
    stock = _locked_stock(session, reservation.sku)
    if stock is not None:
        stock.reserved -= reservation.quantity
        stock.on_hand -= reservation.quantity
    reservation.status = ReservationStatus.CONSUMED


def restock(session: Session, sku: str, quantity: int, return_line_id: int, now: datetime) -> bool:
    """Put a return line's units back on the shelf, once; False if it was done already."""
    done = session.scalar(select(Restock.id).where(Restock.return_line_id == return_line_id))
    if done is not None:
        return False
    stock = _locked_or_new_stock(session, sku)
    stock.on_hand += quantity
    session.add(Restock(sku=sku, quantity=quantity, return_line_id=return_line_id, created_at=now))
    return True


def available_by_sku(session: Session, skus: Iterable[str]) -> dict[str, int]:
    """Units that can still be promised per SKU (0 for a SKU with no stock row)."""
    wanted = set(skus)
    rows = session.scalars(select(StockItem).where(StockItem.sku.in_(wanted))) if wanted else []
    found = {item.sku: max(item.available, 0) for item in rows}
    return {sku: found.get(sku, 0) for sku in wanted}
