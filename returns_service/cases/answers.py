"""What counts as answering a case: a person acting, or the rules deciding (sending a case
to review is no answer), read from its timeline."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, type_coerce

from returns_service.events import Event
from returns_service.portable_sql import earlier_of

#: A person acting, or the rules deciding (sending to review is not an answer).
RESPONDING = or_(
    Event.actor.like("staff:%"),
    Event.actor.like("token:%"),
    and_(Event.actor == "rules", Event.kind.not_like("%.review")),
)


def first_answer(subject_type: Any, subject_id: Any, decided_at: Any) -> ColumnElement[Any]:
    """When a case was first answered, as a column: its first responding event, or its
    decision if earlier (a decision is an answer even without its event on the timeline)."""
    first_event = (
        select(func.min(Event.created_at))
        .where(Event.subject_type == subject_type, Event.subject_id == subject_id, RESPONDING)
        .scalar_subquery()
    )
    return type_coerce(earlier_of(first_event, decided_at), Event.created_at.type)


def responds(event: Event) -> bool:
    """Whether an event answers the case: ``RESPONDING``'s test, on a loaded event."""
    return event.actor.startswith(("staff:", "token:")) or (
        event.actor == "rules" and not event.kind.endswith(".review")
    )
