"""The one place a return changes state: checked against the transition table, on the timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from returns_service.errors import Conflict
from returns_service.events import record_event
from returns_service.returns.models import RETURN_TRANSITIONS, ReturnRequest, ReturnStatus

SUBJECT = "return"


def check(request: ReturnRequest, to: ReturnStatus) -> None:
    """Refuse with 409, before any other work, a move the state machine does not allow."""
    current = request.status
    if to not in RETURN_TRANSITIONS[current]:
        allowed = ", ".join(sorted(s.value for s in RETURN_TRANSITIONS[current])) or "none"
        raise Conflict(
            f"return {request.rma} is {current.value} and cannot become {to.value} "
            f"(allowed: {allowed})",
            current_status=current.value,
        )


def move(
    session: Session,
    request: ReturnRequest,
    to: ReturnStatus,
    *,
    now: datetime,
    actor: str,
    message: str = "",
    **data: Any,
) -> None:
    """Move a return to ``to``, or refuse with 409 naming both states."""
    check(request, to)
    current = request.status
    request.status = to
    record_event(
        session,
        subject_type=SUBJECT,
        subject_id=request.id,
        order_id=request.order_id,
        kind=f"return.{to.value}",
        actor=actor,
        now=now,
        message=message,
        from_status=current.value,
        **data,
    )


def record_filed(session: Session, request: ReturnRequest, *, now: datetime, actor: str) -> None:
    """The first event of every return: what was asked for."""
    record_event(
        session,
        subject_type=SUBJECT,
        subject_id=request.id,
        order_id=request.order_id,
        kind="return.requested",
        actor=actor,
        now=now,
        resolution=request.resolution.value,
        lines=[
            {"line_id": line.order_line_id, "quantity": line.quantity, "reason": line.reason}
            for line in request.lines
        ],
    )


def note(
    session: Session,
    request: ReturnRequest,
    kind: str,
    *,
    now: datetime,
    actor: str,
    message: str = "",
    **data: Any,
) -> None:
    """Put something that happened to a return, other than a change of state, on its timeline."""
    record_event(
        session,
        subject_type=SUBJECT,
        subject_id=request.id,
        order_id=request.order_id,
        kind=kind,
        actor=actor,
        now=now,
        message=message,
        **data,
    )
