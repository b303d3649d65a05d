"""A subject's state machine: moves checked against a transition table, each on its timeline."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy.orm import Session

from returns_service.errors import Conflict
from returns_service.events import note_on

S = TypeVar("S", bound=StrEnum)


class StateMachine(Generic[S]):
    """The allowed moves of one kind of subject (a return, a cancellation).

    A subject has ``id``, ``order_id`` and ``status``; every move and every note is an
    event on its timeline, so the timeline tells the whole story.
    """

    def __init__(
        self,
        subject_type: str,
        transitions: Mapping[S, frozenset[S]],
        name: Callable[[Any], str],
    ) -> None:
        self.subject_type = subject_type
        self.transitions = transitions
        self.name = name

    def check(self, subject: Any, to: S) -> None:
        """Refuse with 409, before any other work, a move the table does not allow."""
        current = subject.status
        if to not in self.transitions[current]:
            allowed = ", ".join(sorted(s.value for s in self.transitions[current])) or "none"
            raise Conflict(
                f"{self.name(subject)} is {current.value} and cannot become {to.value} "
                f"(allowed: {allowed})",
                current_status=current.value,
            )

    def move(
        self,
        session: Session,
        subject: Any,
        to: S,
        *,
        now: datetime,
        actor: str,
        message: str = "",
        **data: Any,
    ) -> None:
        """Move the subject to ``to`` (or refuse with 409), recording who, when and why."""
        self.check(subject, to)
        current = subject.status
        subject.status = to
        self.note(
            session,
            subject,
            f"{self.subject_type}.{to.value}",
            now=now,
            actor=actor,
            message=message,
            from_status=current.value,
            **data,
        )

    def note(self, session: Session, subject: Any, kind: str, **details: Any) -> None:
        """Put something that happened to the subject, other than a move, on its timeline."""
        note_on(session, subject, kind, subject_type=self.subject_type, **details)
