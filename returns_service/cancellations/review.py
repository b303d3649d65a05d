"""Cancellations after the request: the warehouse's answer, a person's review, time-outs.

Like the request itself, every function takes the session and ``now``, never commits, and
needs the caller to hold the order's row lock, then the cancellation's.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.cancellations import states
from returns_service.cancellations.models import Cancellation, CancellationStatus
from returns_service.cancellations.operations import (
    go_ahead,
    refuse,
    reject_with_message,
    settle_cancelled,
)
from returns_service.errors import Conflict, InvalidInput
from returns_service.shop import ShopSettings


def record_warehouse_result(
    session: Session,
    now: datetime,
    settings: ShopSettings,
    cancellation: Cancellation,
    *,
    stopped: bool,
    actor: str,
    note: str = "",
) -> bool:
    """The warehouse says whether it stopped the order; returns False for a repeated answer.

    Stopped: the lines are cancelled and refunded. Not stopped: the customer is offered a
    return. An answer after the stop timed out (the cancellation is in review) still
    settles it. The caller must hold the order's row lock, then the cancellation's.
    """
    status = cancellation.status
    waiting = status is CancellationStatus.PENDING_STOP or (
        status is CancellationStatus.REVIEW and cancellation.stop_requested_at is not None
    )
    if not waiting:
        repeated = (status is CancellationStatus.CANCELLED and stopped) or (
            status is CancellationStatus.REFUSED and not stopped
        )
        if repeated and cancellation.stop_requested_at is not None:
            return False
        raise Conflict(
            f"cancellation {cancellation.id} is {status.value}; the warehouse was not asked "
            "to stop it, or its answer came too late",
            current_status=status.value,
        )
    states.note(
        session,
        cancellation,
        "warehouse.stopped" if stopped else "warehouse.not_stopped",
        now=now,
        actor=actor,
        message=note,
    )
    if stopped:
        settle_cancelled(session, now, settings, cancellation, actor=actor)
    else:
        refuse(session, now, settings, cancellation, actor=actor, message=note)
    return True


def approve(
    session: Session,
    now: datetime,
    settings: ShopSettings,
    cancellation: Cancellation,
    *,
    actor: str,
    message: str = "",
) -> None:
    """A person lets a cancellation in review go ahead.

    After a stop that timed out, approving means the person made sure the warehouse
    stopped the order: it is cancelled and refunded. The caller must hold the order lock.
    """
    if cancellation.status is not CancellationStatus.REVIEW:
        raise Conflict(
            f"cancellation {cancellation.id} is {cancellation.status.value}, not in review",
            current_status=cancellation.status.value,
        )
    if cancellation.stop_requested_at is not None:
        states.note(
            session, cancellation, "warehouse.stopped", now=now, actor=actor, message=message
        )
        settle_cancelled(session, now, settings, cancellation, actor=actor)
    else:
        go_ahead(session, now, settings, cancellation, actor=actor, message=message)


def reject(
    session: Session,
    now: datetime,
    settings: ShopSettings,
    cancellation: Cancellation,
    *,
    actor: str,
    message: str,
) -> None:
    """A person turns down a cancellation in review, with the message the customer reads.

    After a stop that timed out, rejecting means the warehouse could not stop the order:
    the customer is offered a return.
    """
    if cancellation.status is not CancellationStatus.REVIEW:
        raise Conflict(
            f"cancellation {cancellation.id} is {cancellation.status.value}, not in review",
            current_status=cancellation.status.value,
        )
    if not message.strip():
        raise InvalidInput("a rejection needs a message for the customer", field="message")
    if cancellation.stop_requested_at is not None:
        states.note(
            session, cancellation, "warehouse.not_stopped", now=now, actor=actor, message=message
        )
        refuse(session, now, settings, cancellation, actor=actor, message=message)
    else:
        reject_with_message(session, now, cancellation, actor=actor, message=message)


def escalate_overdue_stops(session: Session, now: datetime, timeout: timedelta) -> int:
    """Send stops the warehouse has not answered within ``timeout`` to a person.

    Rows another transaction holds (an answer being recorded) are skipped; returns how
    many moved.
    """
    query = (
        select(Cancellation)
        .where(
            Cancellation.status == CancellationStatus.PENDING_STOP,
            Cancellation.stop_requested_at < now - timeout,
        )
        .with_for_update(skip_locked=True)
    )
    moved = 0
    minutes = int(timeout.total_seconds() // 60)
    for cancellation in session.scalars(query):
        states.move(
            session,
            cancellation,
            CancellationStatus.REVIEW,
            now=now,
            actor="system",
            message=f"the warehouse did not answer within {minutes} minutes; "
            "check with it, then approve (stopped) or reject (shipped)",
        )
        moved += 1
    return moved
