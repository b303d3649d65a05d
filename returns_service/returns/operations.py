"""Return use cases after filing: approve, reject, cancel, move, receive, inspect, expire.

Every function takes the session and ``now``, never commits, records events and outbox
rows, and leaves the transaction to its caller.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service import outbox
from returns_service.errors import InvalidInput, NotFound
from returns_service.inventory import operations as stock
from returns_service.returns import exchanges, notices, settlement, side_effects, states
from returns_service.returns.models import (
    Disposition,
    ItemCondition,
    LineOutcome,
    Pickup,
    Resolution,
    ReturnLine,
    ReturnMethod,
    ReturnRequest,
    ReturnStatus,
)
from returns_service.shop import ShopSettings


def get_return(session: Session, rma: str, *, lock: bool = False) -> ReturnRequest:
    """The return with this RMA number, or NotFound."""
    query = select(ReturnRequest).where(ReturnRequest.rma == rma)
    if lock:
        query = query.with_for_update()
    request = session.scalar(query)
    if request is None:
        raise NotFound(f"no return {rma!r}")
    return request


def _approved_lines(request: ReturnRequest) -> list[ReturnLine]:
    return [
        line
        for line in request.lines
        if line.outcome in (LineOutcome.APPROVE, LineOutcome.APPROVE_KEEP_ITEM)
    ]


def approve(
    session: Session,
    now: datetime,
    settings: ShopSettings,
    request: ReturnRequest,
    *,
    actor: str,
    message: str = "",
) -> None:
    """Approve a return: lines a person approves count as approved; then next steps follow."""
    if actor != "rules":  # a person's approval covers the lines the rules left to them
        for line in request.lines:
            if line.outcome in (LineOutcome.REVIEW, None):
                line.outcome = LineOutcome.APPROVE
    states.move(session, request, ReturnStatus.APPROVED, now=now, actor=actor, message=message)
    request.decided_at = now
    approved = _approved_lines(request)
    request.refund_timing = settlement.request_timing(approved)
    sent_back = [line for line in approved if line.outcome is LineOutcome.APPROVE]
    if request.resolution is Resolution.EXCHANGE:
        exchanges.reserve_replacements(session, now, request, sent_back)
    keep_lines = [line for line in approved if line.outcome is LineOutcome.APPROVE_KEEP_ITEM]
    settlement.refund_lines(session, now, request, keep_lines)
    if all(line.outcome is LineOutcome.APPROVE_KEEP_ITEM for line in approved):
        request.method = ReturnMethod.NONE
        notices.return_approved(session, now, settings, request)
        states.move(
            session,
            request,
            ReturnStatus.COMPLETED,
            now=now,
            actor="system",
            message="nothing to send back",
        )
        return
    methods = [line.action.return_method for line in approved if line.action.return_method]
    if methods:
        request.method = ReturnMethod(methods[0].value)
    states.move(session, request, ReturnStatus.AWAITING_PARCEL, now=now, actor="system")
    request.expires_at = now + timedelta(days=settings.return_parcel_days)
    if request.method is ReturnMethod.PICKUP:
        _schedule_pickup(session, now, request)
    else:
        outbox.record(session, "create_return_label", now, return_id=request.id)
    settlement.settle_due(session, now, request, "on_approval")
    notices.return_approved(session, now, settings, request)


def _schedule_pickup(session: Session, now: datetime, request: ReturnRequest) -> None:
    details = request.method_details
    address = details.get("address") or request.order.shipping_address
    pickup_date = details.get("date") or (now + timedelta(days=1)).date().isoformat()
    pickup = Pickup(
        request=request,
        carrier="",
        pickup_date=datetime.fromisoformat(str(pickup_date)).date(),
        slot=details.get("slot"),
        address=address,
        created_at=now,
    )
    session.add(pickup)
    session.flush()
    outbox.record(session, "request_pickup", now, pickup_id=pickup.id)


def record_rejection(
    session: Session,
    now: datetime,
    request: ReturnRequest,
    *,
    actor: str,
    message: str,
    **data: Any,
) -> None:
    """Reject a return whose lines are decided already (by the rules or by a person)."""
    states.move(
        session, request, ReturnStatus.REJECTED, now=now, actor=actor, message=message, **data
    )
    request.decided_at = now
    request.decision = {**request.decision, "message": message}
    exchanges.release_replacements(session, request)
    notices.return_rejected(session, now, request, message)


def reject(
    session: Session, now: datetime, request: ReturnRequest, *, actor: str, message: str
) -> None:
    """A person rejects a return, with the message the customer will read."""
    states.check(request, ReturnStatus.REJECTED)
    if not message.strip():
        raise InvalidInput("a rejection needs a message for the customer", field="message")
    for line in request.lines:
        line.outcome = LineOutcome.REJECT
    record_rejection(session, now, request, actor=actor, message=message)


def cancel(
    session: Session, now: datetime, request: ReturnRequest, *, actor: str, message: str = ""
) -> None:
    """Withdraw a return that has not been sent yet."""
    states.move(session, request, ReturnStatus.CANCELLED, now=now, actor=actor, message=message)
    exchanges.release_replacements(session, request)
    notices.return_cancelled(session, now, request)


def mark_in_transit(
    session: Session, now: datetime, settings: ShopSettings, request: ReturnRequest, *, actor: str
) -> None:
    """The carrier scanned the parcel: refunds timed on the first scan are issued."""
    states.move(session, request, ReturnStatus.IN_TRANSIT, now=now, actor=actor)
    side_effects.release_pickup(session, now, settings, request)
    settlement.settle_due(session, now, request, "on_first_carrier_scan")
    notices.return_in_transit(session, now, request)


def receive_lines(
    session: Session,
    now: datetime,
    settings: ShopSettings,
    request: ReturnRequest,
    received: dict[int, int],
    *,
    actor: str,
) -> None:
    """The warehouse opened the parcel and counted what came back, line by line."""
    states.check(request, ReturnStatus.RECEIVED)
    lines = {line.id: line for line in request.lines}
    for line_id, quantity in received.items():
        line = lines.get(line_id)
        if line is None or line.outcome is not LineOutcome.APPROVE:
            raise InvalidInput(
                f"return {request.rma} has no line {line_id} to receive", field="lines"
            )
        if not 0 <= quantity <= line.quantity:
            raise InvalidInput(
                f"line {line_id} expects at most {line.quantity} units, {quantity} received",
                field="lines",
            )
        line.received_quantity = quantity
    states.move(
        session,
        request,
        ReturnStatus.RECEIVED,
        now=now,
        actor=actor,
        received={str(k): v for k, v in received.items()},
    )
    side_effects.release_pickup(session, now, settings, request)
    settlement.settle_due(session, now, request, "on_receipt")
    notices.return_received_at_warehouse(session, now, request)


def inspect_lines(
    session: Session,
    now: datetime,
    request: ReturnRequest,
    grades: dict[int, dict[str, Any]],
    *,
    actor: str,
) -> None:
    """Grade each received line and choose its disposition; then the return completes."""
    states.check(request, ReturnStatus.INSPECTED)
    lines = {line.id: line for line in request.lines if line.received_quantity > 0}
    missing = sorted(set(lines) - set(grades))
    if missing:
        raise InvalidInput(f"line {missing[0]} was received and needs a grade", field="lines")
    for line_id, grade in grades.items():
        line = lines.get(line_id)
        if line is None:
            raise InvalidInput(
                f"return {request.rma} has no received line {line_id}", field="lines"
            )
        line.condition = ItemCondition(grade["condition"])
        line.disposition = Disposition(grade["disposition"])
        line.inspection_notes = grade.get("notes") or ""
    states.move(
        session,
        request,
        ReturnStatus.INSPECTED,
        now=now,
        actor=actor,
        grades={
            str(k): {"condition": v["condition"], "disposition": v["disposition"]}
            for k, v in grades.items()
        },
    )
    for line in lines.values():
        if line.disposition is Disposition.RESTOCK:
            outbox.record(session, "restock", now, return_line_id=line.id)
    settlement.settle_due(session, now, request, "on_inspection")
    states.move(session, request, ReturnStatus.COMPLETED, now=now, actor="system")


def expire_due(session: Session, now: datetime) -> int:
    """Expire approved returns whose parcel was not sent in time; returns how many."""
    query = (
        select(ReturnRequest)
        .where(
            ReturnRequest.status.in_((ReturnStatus.APPROVED, ReturnStatus.AWAITING_PARCEL)),
            ReturnRequest.expires_at < now,
        )
        .with_for_update(skip_locked=True)
    )
    expired = 0
    for request in session.scalars(query):
        states.move(
            session,
            request,
            ReturnStatus.EXPIRED,
            now=now,
            actor="system",
            message="the parcel was not sent in time",
        )
        exchanges.release_replacements(session, request)
        notices.return_expired(session, now, request)
        expired += 1
    return expired


def restock_line(session: Session, now: datetime, line: ReturnLine) -> None:
    """Put an inspected line's received units back in stock, once per line."""
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
