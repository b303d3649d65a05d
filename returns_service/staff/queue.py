"""Staff pages: the review queue and the warehouse's list."""

from __future__ import annotations

from flask import Blueprint, current_app
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from returns_service.auth.staff_sessions import staff_required
from returns_service.cases.policy import CasePolicy
from returns_service.cases.tags import return_tags
from returns_service.events import Event
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.returns.models import ReturnLine, ReturnRequest, ReturnStatus
from returns_service.staff.views import render

#: Returns the warehouse works on, in the order they reach it.
WAREHOUSE_STATUSES = (ReturnStatus.AWAITING_PARCEL, ReturnStatus.IN_TRANSIT, ReturnStatus.RECEIVED)


def _review_reasons(returns: list[ReturnRequest]) -> dict[int, str]:
    """Why the rules left each return to a person, from its ``return.review`` event."""
    if not returns:
        return {}
    events = db.session.scalars(
        select(Event)
        .where(
            Event.subject_type == "return",
            Event.kind == "return.review",
            Event.subject_id.in_([r.id for r in returns]),
        )
        .order_by(Event.id)
    )
    found = {event.subject_id: event.message for event in events}
    return {r.id: found.get(r.id) or ", ".join(r.decision.get("rules") or []) for r in returns}


@staff_required()
def queue() -> ResponseReturnValue:
    """Returns waiting for a person, most pressing first (then oldest), each tagged with its
    priority and due time; and those on their way to the warehouse."""
    oldest_first = (ReturnRequest.created_at, ReturnRequest.id)
    # The list shows each return's order and lines: one query per table, not per row.
    shown = (
        joinedload(ReturnRequest.order),
        selectinload(ReturnRequest.lines).joinedload(ReturnLine.order_line),
    )
    in_review = list(
        db.session.scalars(
            select(ReturnRequest)
            .where(ReturnRequest.status == ReturnStatus.REVIEW)
            .order_by(*oldest_first)
            .options(*shown)
        )
    )
    warehouse = list(
        db.session.scalars(
            select(ReturnRequest)
            .where(ReturnRequest.status.in_(WAREHOUSE_STATUSES))
            .order_by(*oldest_first)
            .options(*shown)
        )
    )
    policy = CasePolicy.from_config(current_app.config)
    tags = return_tags(db.session, [r.id for r in in_review + warehouse], policy, utcnow())
    in_review.sort(key=lambda r: (tags[r.id].rank, r.created_at, r.id))
    return render(
        "staff/queue.html",
        in_review=in_review,
        tags=tags,
        review_reasons=_review_reasons(in_review),
        warehouse=warehouse,
    )


def register(bp: Blueprint) -> None:
    """Add the queue to the staff blueprint."""
    bp.add_url_rule("/", view_func=queue, methods=["GET"])
