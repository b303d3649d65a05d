"""Exchanges: the replacement's stock held at approval, its price difference, its shipment."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import rules
from returns_service import outbox, warehouse
from returns_service.catalogue import exchange_options as catalogue
from returns_service.errors import Conflict, InvalidInput
from returns_service.inventory import operations as stock
from returns_service.inventory.models import Reservation, ReservationStatus
from returns_service.orders.models import OrderLine
from returns_service.returns import notices, preview, states
from returns_service.returns.facts import customer_history
from returns_service.returns.models import (
    Exchange,
    ExchangeStatus,
    Resolution,
    ReturnLine,
    ReturnRequest,
)
from returns_service.rulesets.operations import active_version, compiled
from rules.actions import ExchangeScope


def price_difference(session: Session, line: ReturnLine, sku: str) -> int:
    """What the replacements cost more (positive) or less (negative) than was paid.

    The replacement is priced from the catalogue in the order's currency; a SKU with no
    price there is taken to cost what the returned item cost (a size or colour swap).
    """
    price = catalogue.unit_price(session, sku, line.request.order.currency)
    if price is None:
        return 0
    return (price - catalogue.paid_per_unit(line.order_line)) * line.quantity


def chosen_replacement(
    session: Session, order_line: OrderLine, data: dict[str, Any], index: int
) -> str:
    """The SKU a return line is exchanged for: the chosen variant's, checked, or as given.

    A variant must be on sale with the units in stock (409 naming the field if not); whether
    it may come from another product is the deciding rule's (:func:`check_scope`). A bare
    SKU is held to stock at approval.
    """
    if data.get("exchange_variant_id") is not None:
        field = f"lines.{index}.exchange_variant_id"
        option = catalogue.chosen_variant(
            session, order_line, data["exchange_variant_id"], data["quantity"], field=field
        )
        return option.sku
    if data.get("exchange_sku"):
        return data["exchange_sku"]
    raise InvalidInput(
        "an exchange needs the SKU to exchange for: choose a variant (exchange_variant_id)",
        field=f"lines.{index}.exchange_variant_id",
        code="no_replacement",
    )


#: What each scope lets a replacement be, in the words of a refusal.
_SCOPE_WORDS = {
    ExchangeScope.SAME_PRODUCT: "another variant of the same product",
    ExchangeScope.SAME_PRODUCT_TYPE: "a product of the same type",
    ExchangeScope.ANY_PRODUCT: "any product",
}


def check_scope(
    session: Session, line: ReturnLine, scope: ExchangeScope | None, index: int
) -> None:
    """Refuse (422) a replacement from another product than the deciding rule allows."""
    allowed = scope or ExchangeScope.SAME_PRODUCT
    sku = line.exchange_sku
    if sku and not catalogue.within_scope(session, line.order_line, sku, allowed):
        raise InvalidInput(
            f"{line.order_line.title} can be exchanged only for {_SCOPE_WORDS[allowed]}, "
            f"not for {sku}",
            field=f"lines.{index}.exchange_variant_id",
            code="replacement_out_of_scope",
        )


def offered_scope(
    session: Session, now: datetime, timezone: str, order_line: OrderLine, reason: str | None
) -> ExchangeScope:
    """How far the rules in force let this line's exchange reach, for the given reason.

    The rules decide per reason; without one only the product's own variants are offered.
    """
    if reason is None:
        return ExchangeScope.SAME_PRODUCT
    order = order_line.order
    decision = preview.probe(
        compiled(active_version(session, now)),
        customer_history(session, order.customer_id, now),
        now,
        timezone,
        order_line,
        reason,
        Resolution.EXCHANGE,
    )
    if decision.outcome is rules.Outcome.REJECT:
        return ExchangeScope.SAME_PRODUCT
    return decision.action.exchange_scope or ExchangeScope.SAME_PRODUCT


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


def hand_over_replacement(
    session: Session, now: datetime, exchange: Exchange, config: Mapping[str, Any]
) -> None:
    """Take the held units off the stock and ask the warehouse to ship them, once.

    The caller holds the exchange's row lock; an exchange handed over already is left be.
    """
    if exchange.status is not ExchangeStatus.SHIPMENT_REQUESTED:
        return
    reservation = session.scalar(select(Reservation).where(Reservation.exchange_id == exchange.id))
    if reservation is None or reservation.status is not ReservationStatus.HELD:
        return
    stock.consume(session, reservation)
    warehouse.request_exchange_shipment(session, now, exchange, config)
    states.note(
        session,
        exchange.request,
        "exchange.shipment_requested",
        actor="system",
        now=now,
        sku=exchange.sku,
        quantity=exchange.quantity,
    )
