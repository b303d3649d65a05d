"""The one place a cancellation changes state: checked against the table, on the timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from returns_service.cancellations.models import (
    CANCELLATION_TRANSITIONS,
    Cancellation,
    CancellationStatus,
)
from returns_service.errors import Conflict
from returns_service.events import record_event

SUBJECT = "cancellation"


def check(cancellation: Cancellation, to: CancellationStatus) -> None:
    """Refuse with 409, before any other work, a move the state machine does not allow."""
    current = cancellation.status
    if to not in CANCELLATION_TRANSITIONS[current]:
        allowed = ", ".join(sorted(s.value for s in CANCELLATION_TRANSITIONS[current])) or "none"
        raise Conflict(
            f"cancellation {cancellation.id} is {current.value} and cannot become {to.value} "
            f"(allowed: {allowed})",
            current_status=current.value,
        )


def move(
    session: Session,
    cancellation: Cancellation,
    to: CancellationStatus,
    *,
    now: datetime,
    actor: str,
    message: str = "",
    **data: Any,
) -> None:
    """Move a cancellation to ``to``, or refuse with 409 naming both states."""
    check(cancellation, to)
    current = cancellation.status
    cancellation.status = to
    note(
        session,
        cancellation,
        f"cancellation.{to.value}",
        now=now,
        actor=actor,
        message=message,
        from_status=current.value,
        **data,
    )


def note(
    session: Session,
    cancellation: Cancellation,
    kind: str,
    *,
    now: datetime,
    actor: str,
    message: str = "",
    **data: Any,
) -> None:
    """Append an event to the cancellation's timeline."""
    record_event(
        session,
        subject_type=SUBJECT,
        subject_id=cancellation.id,
        order_id=cancellation.order_id,
        kind=kind,
        actor=actor,
        now=now,
        message=message,
        **data,
    )
