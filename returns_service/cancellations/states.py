"""The one place a cancellation changes state: checked against the table, on the timeline."""

from __future__ import annotations

from returns_service.cancellations.models import CANCELLATION_TRANSITIONS
from returns_service.state_machine import StateMachine

SUBJECT = "cancellation"
_MACHINE = StateMachine(
    SUBJECT, CANCELLATION_TRANSITIONS, lambda cancellation: f"cancellation {cancellation.id}"
)
check = _MACHINE.check
move = _MACHINE.move
note = _MACHINE.note
