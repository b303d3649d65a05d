"""The append-only timeline of every request: who did what, when and why."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, bindparam, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from returns_service.models import Base, intpk, kept_in_transaction


class Event(Base):
    """One step in the life of a return, cancellation or order; never updated or deleted."""

    __tablename__ = "events"

    id: Mapped[intpk]
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int]
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    #: ``customer``, ``staff:<email>``, ``token:<name>``, ``rules`` or ``system``.
    actor: Mapped[str] = mapped_column(String(128))
    message: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]

    __table_args__ = (
        Index("ix_events_subject", "subject_type", "subject_id", "id"),
        # The numbers page counts decisions by kind over a period.
        Index("ix_events_kind_created_at", "kind", "created_at"),
    )


#: The kind of the events recorded in a transaction, oldest first (see kept_in_transaction).
_RECORDED = "events"


def record_event(
    session: Session,
    *,
    subject_type: str,
    subject_id: int,
    kind: str,
    actor: str,
    now: datetime,
    order_id: int | None = None,
    message: str = "",
    **data: Any,
) -> Event:
    """Append an event to a subject's timeline (in the caller's transaction)."""
    event = Event(
        subject_type=subject_type,
        subject_id=subject_id,
        order_id=order_id,
        kind=kind,
        actor=actor,
        message=message,
        data=data,
        created_at=now,
    )
    session.add(event)
    kept_in_transaction(session, _RECORDED).append(event)
    return event


def note_on(
    session: Session,
    subject: Any,
    kind: str,
    *,
    subject_type: str,
    now: datetime,
    actor: str,
    message: str = "",
    **data: Any,
) -> Event:
    """Append an event to the timeline of a subject that has ``id`` and ``order_id``."""
    return record_event(
        session,
        subject_type=subject_type,
        subject_id=subject.id,
        order_id=subject.order_id,
        kind=kind,
        actor=actor,
        now=now,
        message=message,
        **data,
    )


def timeline(session: Session, subject_type: str, subject_id: int) -> list[Event]:
    """A subject's events, oldest first."""
    return list(session.scalars(_TIMELINE, {"type": subject_type, "id": subject_id}))


#: Built once: a subject's events in order.
_TIMELINE = (
    select(Event)
    .where(Event.subject_type == bindparam("type"), Event.subject_id == bindparam("id"))
    .order_by(Event.id)
)


def recorded_timeline(session: Session, subject_type: str, subject_id: int) -> list[Event]:
    """A subject's events recorded in the session's transaction, oldest first.

    For a subject created in this transaction that is its whole timeline, read without
    asking the database (events rolled back with a savepoint are left out).
    """
    return [
        e
        for e in kept_in_transaction(session, _RECORDED)
        if e.subject_type == subject_type and e.subject_id == subject_id
    ]
