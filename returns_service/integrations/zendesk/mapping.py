"""Zendesk's shapes: tickets for our cases, notes, solving, webhook signatures and replies.

Tickets follow Zendesk's Tickets API (``POST /api/v2/tickets``, ``PUT /api/v2/tickets/{id}``
with ``ticket.comment``); signatures are base64(HMAC-SHA256(secret, timestamp + raw body))
as Zendesk's "Verifying webhook authenticity" says. No Flask, SQLAlchemy or database here.
"""

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

SIGNATURE_HEADER = "X-Zendesk-Webhook-Signature"
TIMESTAMP_HEADER = "X-Zendesk-Webhook-Signature-Timestamp"
TOLERANCE_SECONDS = 300


@dataclass(frozen=True)
class CaseLine:
    """One line of a case as the ticket lists it."""

    title: str
    sku: str
    quantity: int
    reason: str


@dataclass(frozen=True)
class Case:
    """A return or cancellation that needs a person, as a ticket tells it."""

    kind: str  # return | cancellation
    reference: str  # the RMA, or the cancellation's number
    order_number: str
    customer_name: str
    customer_email: str
    locale: str
    lines: Sequence[CaseLine]
    decision: str
    reason: str
    priority: str  # low | normal | high | urgent
    staff_url: str


@dataclass(frozen=True)
class AgentReply:
    """A public comment an agent wrote on a ticket."""

    ticket_id: str
    comment_id: str
    body: str
    author: str


def external_id(kind: str, subject_id: int) -> str:
    """The ticket's ``external_id``: leads the webhook back to our case."""
    return f"returns-service:{kind}:{subject_id}"


def _tag(text: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "_", text.lower()).strip("_")


def ticket(case: Case, kind_external_id: str) -> dict[str, Any]:
    """The ticket to create: the customer as requester, the facts in a private first note."""
    lines = "\n".join(
        f"- {line.title} ({line.sku}) × {line.quantity}: {line.reason}" for line in case.lines
    )
    body = (
        f"{case.kind} {case.reference} / order {case.order_number}\n"
        f"decision: {case.decision}\n"
        f"reason: {case.reason or '-'}\n\n"
        f"{lines}\n\n"
        f"{case.staff_url}"
    )
    reasons = {_tag(line.reason) for line in case.lines if line.reason}
    return {
        "ticket": {
            "subject": f"[{case.kind} {case.reference}] order {case.order_number}: {case.decision}",
            "comment": {"body": body, "public": False},
            "requester": {
                "name": case.customer_name or case.customer_email,
                "email": case.customer_email,
                "locale": case.locale,
            },
            "priority": case.priority,
            "type": "task",
            "external_id": kind_external_id,
            "tags": sorted(
                {
                    "returns_service",
                    f"kind_{case.kind}",
                    f"priority_{case.priority}",
                    *(f"reason_{reason}" for reason in reasons),
                }
            ),
        }
    }


def internal_note(body: str) -> dict[str, Any]:
    """An update that adds a private note for the agents."""
    return {"ticket": {"comment": {"body": body, "public": False}}}


def solved(body: str) -> dict[str, Any]:
    """An update that solves the ticket with a private note saying how the case ended."""
    return {"ticket": {"status": "solved", "comment": {"body": body, "public": False}}}


def ticket_id(body: Any) -> str:
    """The id of the ticket in a create or update answer."""
    return str(body["ticket"]["id"])


def found_ticket(body: Any) -> str | None:
    """The first ticket of a listing by external id, if any."""
    tickets = body.get("tickets") if isinstance(body, Mapping) else None
    return str(tickets[0]["id"]) if tickets else None


def error_detail(body: Any) -> str | None:
    """Zendesk's error envelope: ``{"error", "description", "details"}``."""
    if not isinstance(body, Mapping) or "error" not in body:
        return None
    error = body["error"]
    if isinstance(error, Mapping):
        return f"{error.get('title', '')} {error.get('message', '')}".strip()
    return f"{error}: {body.get('description', '')}".strip(": ")


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Zendesk-Webhook-Signature`` of a body sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify(
    secret: str, timestamp: str | None, given: str | None, body: bytes, now: datetime
) -> bool:
    """Whether a delivery is signed with our secret and, where its time reads, is recent."""
    if not (secret and timestamp and given):
        return False
    try:
        sent = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        sent = None
    if sent is not None and sent.tzinfo and abs((now - sent).total_seconds()) > TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), given)


def agent_reply(payload: Any) -> AgentReply | None:
    """A public agent comment from an event webhook or a trigger's body; None for others.

    Event webhooks (``zen:event-type:ticket.comment_added``) carry the ticket in ``detail``
    and the comment in ``event.comment``. A trigger sends the body its admin wrote; ours is
    documented in the README: ``{"ticket_id", "comment": {"id", "body", "public",
    "author"}}``.
    """
    if not isinstance(payload, Mapping):
        return None
    if str(payload.get("type", "")).startswith("zen:event-type:"):
        if payload["type"] != "zen:event-type:ticket.comment_added":
            return None
        comment = (payload.get("event") or {}).get("comment") or {}
        author = comment.get("author") or {}
        if not comment.get("is_public") or author.get("is_staff") is False:
            return None
        return AgentReply(
            ticket_id=str((payload.get("detail") or {}).get("id", "")),
            comment_id=str(comment.get("id", payload.get("id", ""))),
            body=str(comment.get("body", "")),
            author=str(author.get("name", "")),
        )
    comment = payload.get("comment") or {}
    public = str(comment.get("public", "")).lower() in ("true", "1")
    if not public or not payload.get("ticket_id"):
        return None
    return AgentReply(
        ticket_id=str(payload["ticket_id"]),
        comment_id=str(comment.get("id", "")),
        body=str(comment.get("body", "")),
        author=str(comment.get("author", "")),
    )
