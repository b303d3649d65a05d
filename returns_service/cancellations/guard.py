"""Holding order updates to the cancellations: the guard the orders use cases call.

An order the service cancelled stays cancelled when the shop sends it again. A parcel
that left the warehouse refuses the cancellations still being decided (the customer is
offered a return); one carrying units already cancelled and refunded is refused with 409,
so that no order ends up both shipped and refunded: the warehouse must recall it.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.cancellations import states
from returns_service.cancellations.models import OPEN_STATUSES, Cancellation, CancellationStatus
from returns_service.cancellations.operations import refuse
from returns_service.errors import Conflict
from returns_service.orders.models import FulfillmentStatus, Order
from returns_service.orders.progress import LEFT_WAREHOUSE, order_stage
from returns_service.shop import ShopSettings


class CancellationGuard:
    """The cancellations' guard on order updates (registered in the app factory)."""

    def hold(
        self, session: Session, now: datetime, order: Order, settings: ShopSettings, *, new: bool
    ) -> None:
        """Hold an updated order to its cancellations; the caller holds the order's lock.

        An order this change created has none (a cancellation needs the order's id), so
        there is nothing to read.
        """
        if not new:
            order_updated(session, now, settings, order)

    def note_refused(self, session: Session, now: datetime, refusal: Conflict, actor: str) -> None:
        """Put a refused shipment on its cancellation's timeline."""
        note_refused_shipment(session, now, refusal, actor)


def order_updated(session: Session, now: datetime, settings: ShopSettings, order: Order) -> None:
    """Hold a shipment or order update to the order's cancellations (see the module).

    The caller must hold the order's row lock and call this after the update.
    """
    cancellations = list(
        session.scalars(
            select(Cancellation)
            .where(
                Cancellation.order_id == order.id,
                Cancellation.status.in_((*OPEN_STATUSES, CancellationStatus.CANCELLED)),
            )
            .order_by(Cancellation.id)
            .with_for_update()
        )
    )
    settled = [c for c in cancellations if c.status is CancellationStatus.CANCELLED]
    closing = next((c for c in settled if c.closes_order), None)
    if closing is not None and order.cancelled_at is None:
        order.cancelled_at = closing.settled_at
    if order_stage(order) is not FulfillmentStatus.SHIPPED:
        return
    if settled:
        _refuse_shipping_cancelled_units(order, settled)
    for cancellation in cancellations:
        if cancellation.status in OPEN_STATUSES:
            refuse(
                session,
                now,
                settings,
                cancellation,
                actor="system",
                message="the parcel left the warehouse before the order could be stopped",
            )


def _refuse_shipping_cancelled_units(order: Order, settled: list[Cancellation]) -> None:
    closing = next((c for c in settled if c.closes_order), None)
    if closing is not None:
        raise Conflict(
            f"order {order.number} was cancelled and refunded (cancellation {closing.id}); "
            "it cannot ship: recall the parcel",
            cancellation_id=closing.id,
        )
    cancelled: Counter[int] = Counter()
    last_for_line: dict[int, int] = {}
    for cancellation in settled:
        for line in cancellation.lines:
            cancelled[line.order_line_id] += line.quantity
            last_for_line[line.order_line_id] = cancellation.id
    shipped: Counter[int] = Counter()
    for shipment in order.shipments:
        if shipment.status in LEFT_WAREHOUSE:
            for shipment_line in shipment.lines:
                shipped[shipment_line.order_line_id] += shipment_line.quantity
    for line in order.lines:
        if shipped[line.id] > line.quantity - cancelled[line.id]:
            raise Conflict(
                f"order {order.number}: {shipped[line.id]} units of line {line.id} "
                f"({line.title}) ship, but {cancelled[line.id]} of its {line.quantity} were "
                f"cancelled and refunded (cancellation {last_for_line[line.id]}); recall the "
                "parcel",
                field="lines",
                cancellation_id=last_for_line[line.id],
            )


def note_refused_shipment(session: Session, now: datetime, conflict: Conflict, actor: str) -> None:
    """Put a shipment refused by :func:`order_updated` on its cancellation's timeline."""
    cancellation_id = conflict.details.get("cancellation_id")
    cancellation = session.get(Cancellation, cancellation_id) if cancellation_id else None
    if cancellation is not None:
        states.note(
            session,
            cancellation,
            "shipment.refused",
            now=now,
            actor=actor,
            message=conflict.message,
        )
