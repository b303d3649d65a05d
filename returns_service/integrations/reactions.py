"""How the integrations follow a case: each new timeline event may queue a call elsewhere.

Registered once in ``create_app`` as a ``before_flush`` listener, so the domains stay the
owners of their state and need not know which systems are switched on: a return moving to
review opens a Zendesk ticket, a Shopify order's return approved is mirrored in Shopify, a
parcel awaited is announced to the warehouse system. The calls are outbox rows of the same
transaction, so they happen if and only if the change commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from returns_service import outbox
from returns_service.events import Event
from returns_service.integrations.links import find_link
from returns_service.models import utcnow
from returns_service.shop import EXTENSION_KEY

#: A case reaches its end with these moves: its ticket is solved.
CASE_ENDS = frozenset(
    {
        "return.completed",
        "return.rejected",
        "return.cancelled",
        "return.expired",
        "cancellation.cancelled",
        "cancellation.refused",
        "cancellation.rejected",
    }
)
CASE_OPENS = frozenset({"return.review", "cancellation.review"})
#: A Shopify order's return is brought in line with ours after these moves.
SHOPIFY_RETURN_MOVES = frozenset(
    {
        "return.review",
        "return.approved",
        "return.rejected",
        "return.completed",
        "return.cancelled",
        "return.expired",
    }
)
#: Events the integrations write themselves: never echoed back to where they came from.
_OWN_PREFIXES = ("zendesk.", "shopify_return.", "logiless.", "line.")


def enabled(config: Mapping[str, Any]) -> dict[str, bool]:
    """Which integrations the settings switch on."""
    return {
        "warehouse_system": config["WAREHOUSE_SYSTEM"] != "webhooks",
        "shopify_returns": bool(config["SHOPIFY_RETURNS_MIRROR"]),
        "zendesk": bool(config["ZENDESK_API_BASE"]),
        "line": bool(config["LINE_CHANNEL_SECRET"]),
    }


def queue_reactions(session: Session, flush_context: Any, instances: Any) -> None:
    """``before_flush``: queue the calls that the new events of this flush ask for."""
    settings = session.info.get(EXTENSION_KEY)  # put there by the app factory
    if settings is None:
        return
    new_events = [item for item in session.new if isinstance(item, Event)]
    if not new_events:
        return
    on = enabled(settings.config)
    if not any(on.values()):
        return
    now = utcnow()
    for event in new_events:
        if event.kind.startswith(_OWN_PREFIXES) or event.subject_type not in (
            "return",
            "cancellation",
        ):
            continue
        _react(session, now, event, on)


def _react(session: Session, now: Any, event: Event, on: Mapping[str, bool]) -> None:
    subject = {"subject_type": event.subject_type, "subject_id": event.subject_id}
    if on["zendesk"]:
        if event.kind in CASE_OPENS:
            outbox.record(session, "zendesk_open_ticket", now, **subject)
        elif find_link(session, "zendesk", event.subject_type, event.subject_id) is None:
            pass  # no ticket: the case never needed a person
        elif event.kind in CASE_ENDS:
            outbox.record(session, "zendesk_solve_ticket", now, **subject, kind=event.kind)
        else:
            outbox.record(
                session,
                "zendesk_add_note",
                now,
                **subject,
                kind=event.kind,
                message=event.message or "",
                actor=event.actor,
            )
    if event.subject_type != "return":
        return
    if on["shopify_returns"] and event.kind in SHOPIFY_RETURN_MOVES:
        outbox.record(session, "sync_shopify_return", now, return_id=event.subject_id)
    if on["warehouse_system"] and event.kind == "return.awaiting_parcel":
        outbox.record(session, "warehouse_expect_return", now, return_id=event.subject_id)
