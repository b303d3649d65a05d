"""Exchanges: the replacement's stock held at approval, its price difference, its shipment."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service import notices, outbox
from returns_service.errors import Conflict
from returns_service.inventory import operations as stock
from returns_service.inventory.models import Reservation, StockItem
from returns_service.returns import states
from returns_service.returns.models import Exchange, ExchangeStatus, ReturnLine, ReturnRequest


def price_difference(session: Session, line: ReturnLine, sku: str) -> int:
    """What the replacements cost more (positive) or less (negative) than was paid.

    The replacement is priced from stock in the order's currency; a SKU with no price
    there is taken to cost what the returned item cost (a size or colour swap).
    """
    order_line = line.order_line
    paid_per_unit = order_line.total // order_line.quantity
    item = session.get(StockItem, sku)
    if item is None or item.unit_price is None or item.currency != line.request.order.currency:
        return 0
    return (item.unit_price - paid_per_unit) * line.quantity


def reserve_replacements(
    session: Session, now: datetime, request: ReturnRequest, lines: Iterable[ReturnLine]
) -> None:
    """Hold the replacement units in the decision's transaction; 409 if one is out of stock."""
    for line in lines:
        if line.exchange_sku is None or any(e.return_line_id == line.id for e in request.exchanges):
            continue
        reservation = stock.reserve(session, line.exchange_sku, line.quantity, now)
        exchange = Exchange(
            request=request,
            return_line_id=line.id,
            sku=line.exchange_sku,
            quantity=line.quantity,
            price_difference=price_difference(session, line, line.exchange_sku),
            created_at=now,
        )
        session.add(exchange)
        session.flush()
        reservation.exchange_id = exchange.id


def release_replacements(session: Session, request: ReturnRequest) -> None:
    """Give back the stock of replacements that have not shipped (rejected, cancelled, expired)."""
    for exchange in request.exchanges:
        if exchange.status is ExchangeStatus.RESERVED:
            reservation = session.scalar(
                select(Reservation).where(Reservation.exchange_id == exchange.id)
            )
            if reservation is not None:
                stock.release(session, reservation)
            exchange.status = ExchangeStatus.RELEASED


def fit_to_received(session: Session, request: ReturnRequest, lines: Iterable[ReturnLine]) -> None:
    """Replace only what came back: nothing for a line received empty, fewer for a part.

    A replacement still held shrinks to the units received (its price difference with it);
    one for a line with nothing received is released, so it never ships.
    """
    by_line = {e.return_line_id: e for e in request.exchanges}
    for line in lines:
        exchange = by_line.get(line.id)
        if exchange is None or exchange.status is not ExchangeStatus.RESERVED:
            continue
        received = min(line.received_quantity, exchange.quantity)
        if received == exchange.quantity:
            continue
        reservation = session.scalar(
            select(Reservation).where(Reservation.exchange_id == exchange.id)
        )
        if reservation is not None:
            stock.shrink(session, reservation, received)
        if received == 0:
            exchange.status = ExchangeStatus.RELEASED
            continue
        exchange.price_difference = exchange.price_difference // exchange.quantity * received
        exchange.quantity = received


def request_replacements(
    session: Session, now: datetime, request: ReturnRequest, lines: Iterable[ReturnLine]
) -> list[Exchange]:
    """Queue the warehouse's shipment of the replacements of these lines, once each."""
    line_ids = {line.id for line in lines}
    due = [
        e
        for e in request.exchanges
        if e.return_line_id in line_ids and e.status is ExchangeStatus.RESERVED
    ]
    for exchange in due:
        exchange.status = ExchangeStatus.SHIPMENT_REQUESTED
        outbox.record(session, "create_exchange_shipment", now, exchange_id=exchange.id)
    return due


def mark_shipped(
    session: Session,
    now: datetime,
    exchange: Exchange,
    *,
    carrier: str,
    tracking_number: str | None,
    actor: str,
) -> None:
    """The warehouse sent the replacement: the customer is told, with its tracking."""
    if exchange.status is ExchangeStatus.SHIPPED:
        return
    if exchange.status is not ExchangeStatus.SHIPMENT_REQUESTED:
        raise Conflict(
            f"exchange {exchange.id} is {exchange.status.value}; only a requested shipment ships"
        )
    exchange.status = ExchangeStatus.SHIPPED
    exchange.carrier = carrier
    exchange.tracking_number = tracking_number
    exchange.shipped_at = now
    request = exchange.request
    states.note(
        session,
        request,
        "exchange.shipped",
        actor=actor,
        now=now,
        sku=exchange.sku,
        carrier=carrier,
        tracking_number=tracking_number,
    )
    notices.exchange_shipped(session, now, exchange)
