"""The one place a return changes state: checked against the transition table, on the timeline."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from returns_service.returns.models import RETURN_TRANSITIONS, ReturnRequest
from returns_service.state_machine import StateMachine

SUBJECT = "return"
_MACHINE = StateMachine(SUBJECT, RETURN_TRANSITIONS, lambda request: f"return {request.rma}")
check = _MACHINE.check
move = _MACHINE.move
note = _MACHINE.note


def record_filed(session: Session, request: ReturnRequest, *, now: datetime, actor: str) -> None:
    """The first event of every return: what was asked for."""
    note(
        session,
        request,
        "return.requested",
        now=now,
        actor=actor,
        resolution=request.resolution.value,
        lines=[
            {"line_id": line.order_line_id, "quantity": line.quantity, "reason": line.reason}
            for line in request.lines
        ],
    )
