"""A return's side effects that gave up: the pickup and the exchange's shipment.

When the worker gives up on one (see ``outbox.register_give_up``), the object shows it
(``failed`` with the reason, on the return's timeline); staff retry it from the return,
which puts the very messages that failed back in line, with their idempotency keys.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from returns_service import outbox
from returns_service.errors import Conflict, NotFound
from returns_service.events import timeline
from returns_service.returns import states
from returns_service.returns.models import (
    Exchange,
    ExchangeStatus,
    Pickup,
    PickupStatus,
    ReturnRequest,
)
from returns_service.shop import ShopSettings

PICKUP_JOBS = ("request_pickup",)
EXCHANGE_SHIPMENT_JOBS = ("create_exchange_shipment", "warehouse_send_shipment")


def failure_reason(error: str) -> str:
    """The last line of a job's error, as staff read it on the object."""
    lines = [line for line in error.splitlines() if line.strip()]
    return (lines[-1] if lines else "the job gave up without an error")[:1000]


def pickup_gave_up(session: Session, now: datetime, error: str, pickup_id: int) -> None:
    """Booking the carrier's collection gave up: the pickup shows it, with the reason."""
    pickup = session.get(Pickup, pickup_id, with_for_update=True)
    if pickup is None or pickup.status is not PickupStatus.REQUESTED:
        return
    pickup.status = PickupStatus.FAILED
    pickup.failure_reason = failure_reason(error)
    states.note(
        session,
        pickup.request,
        "pickup.failed",
        now=now,
        actor="system",
        message=pickup.failure_reason,
    )


def exchange_shipment_gave_up(
    session: Session, now: datetime, error: str, exchange_id: int
) -> None:
    """Handing the replacement to the warehouse gave up: the exchange shows it."""
    exchange = session.get(Exchange, exchange_id, with_for_update=True)
    if exchange is None or exchange.status is not ExchangeStatus.SHIPMENT_REQUESTED:
        return
    exchange.status = ExchangeStatus.SHIPMENT_FAILED
    exchange.failure_reason = failure_reason(error)
    states.note(
        session,
        exchange.request,
        "exchange.shipment_failed",
        now=now,
        actor="system",
        message=exchange.failure_reason,
        exchange_id=exchange.id,
    )


def release_pickup(
    session: Session, now: datetime, settings: ShopSettings, request: ReturnRequest
) -> None:
    """The parcel reached us by other means than the booked collection: call it off.

    A pickup the carrier has scanned a parcel for did its work and stays, and so does one
    whose day has passed (the carrier may have come without a scan reaching us); one still
    ahead is cancelled, with the carrier by a job if it was booked.
    """
    pickup = request.pickup
    if pickup is None or pickup.status not in (PickupStatus.REQUESTED, PickupStatus.CONFIRMED):
        return
    today = now.astimezone(ZoneInfo(settings.timezone)).date()
    if pickup.pickup_date is not None and pickup.pickup_date < today:
        return
    if any(event.kind == "parcel.tracking" for event in timeline(session, "return", request.id)):
        return
    booked = pickup.status is PickupStatus.CONFIRMED
    pickup.status = PickupStatus.CANCELLED
    states.note(session, request, "pickup.cancelled", now=now, actor="system")
    if booked:
        outbox.record(session, "cancel_pickup", now, pickup_id=pickup.id)


def _retry(session: Session, now: datetime, jobs: tuple[str, ...], **payload: int) -> None:
    failed = outbox.failed_messages(session, jobs, **payload)
    if not failed:
        raise Conflict("nothing of it failed: there is nothing to retry")
    for message in failed:
        outbox.retry_failed(session, message.id, now)


def retry_pickup(session: Session, now: datetime, request: ReturnRequest, *, actor: str) -> None:
    """Book the failed pickup again (409 unless it failed). The caller locks the return."""
    pickup = request.pickup
    if pickup is None or pickup.status is not PickupStatus.FAILED:
        raise Conflict(f"return {request.rma} has no failed pickup to retry")
    _retry(session, now, PICKUP_JOBS, pickup_id=pickup.id)
    pickup.status = PickupStatus.REQUESTED
    pickup.failure_reason = None
    states.note(session, request, "pickup.retried", now=now, actor=actor)


def retry_exchange_shipment(
    session: Session, now: datetime, request: ReturnRequest, exchange_id: int, *, actor: str
) -> Exchange:
    """Hand a failed replacement to the warehouse again (409 unless its shipment failed)."""
    exchange = next((e for e in request.exchanges if e.id == exchange_id), None)
    if exchange is None:
        raise NotFound(f"return {request.rma} has no exchange {exchange_id}")
    if exchange.status is not ExchangeStatus.SHIPMENT_FAILED:
        raise Conflict(
            f"the exchange's shipment is {exchange.status.value}, not failed",
            current_status=exchange.status.value,
        )
    _retry(session, now, EXCHANGE_SHIPMENT_JOBS, exchange_id=exchange.id)
    exchange.status = ExchangeStatus.SHIPMENT_REQUESTED
    exchange.failure_reason = None
    states.note(
        session,
        request,
        "exchange.shipment_retried",
        now=now,
        actor=actor,
        exchange_id=exchange.id,
    )
    return exchange
