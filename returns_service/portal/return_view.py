"""A return's status page as its customer reads it: no internal codes, no internal reasons.

Review reasons and the messages staff and the system write on the timeline are for the
desk; the customer sees each step's own words, the decision's text once, and what they get
back: the replacement, the refunds and their state, the pickup or the slip, the tracking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext
from sqlalchemy.orm import Session

from returns_service.labels import STATUS_LABELS, code_label, event_label
from returns_service.portal.slip import postage_payer, postage_words
from returns_service.returns.models import ReturnMethod, ReturnStatus
from returns_service.returns.presenter import (
    ReturnView,
    pickup_when,
    replacement_words,
    replacements_shipped,
)

#: A slip is offered while the parcel is still to be sent.
_SLIP_STATUSES = (ReturnStatus.APPROVED, ReturnStatus.AWAITING_PARCEL)


@dataclass(frozen=True)
class Step:
    """One entry of the customer's timeline."""

    at: datetime
    words: str


def _replacements(session: Session, view: ReturnView) -> list[dict[str, Any]]:
    exchanges = {e.return_line_id: e for e in view.request.exchanges}
    shown = []
    for line in view.request.lines:
        exchange = exchanges.get(line.id)
        sku = exchange.sku if exchange else line.exchange_sku
        if not sku:
            continue
        shown.append(
            {
                "title": line.order_line.title,
                "variant": replacement_words(session, sku),
                "quantity": exchange.quantity if exchange else line.quantity,
                "state": _exchange_state(exchange.status.value if exchange else None),
                "tracking_number": exchange.tracking_number if exchange else None,
            }
        )
    return shown


def _exchange_state(status: str | None) -> str:
    words = {
        None: gettext("Chosen; held once your return is approved"),
        "reserved": gettext("Held for you; it ships when your return is settled"),
        "released": gettext("Not sent"),
        "shipment_requested": gettext("Being prepared for shipping"),
        "shipment_failed": gettext("Being prepared for shipping"),
        "shipped": gettext("Shipped"),
    }
    return words.get(status, words[None])


def _status_words(view: ReturnView) -> str:
    if view.status is ReturnStatus.COMPLETED and not replacements_shipped(view.request):
        return gettext("Replacement being prepared")
    return str(STATUS_LABELS[view.status.value])


def _steps(view: ReturnView) -> list[Step]:
    # Only steps with words of their own: a code the customer would not understand, and
    # every message written on the way (review reasons among them), stay with the desk.
    return [
        Step(event.created_at, words)
        for event in view.timeline
        if (words := event_label(event.kind)) != event.kind
    ]


def _tracking_words(status: str | None) -> str:
    words = {
        "label_created": gettext("Label ready; not yet with the carrier"),
        "in_transit": gettext("With the carrier, on its way to us"),
        "out_for_delivery": gettext("Out for delivery to us"),
        "delivered": gettext("Delivered to us"),
        "exception": gettext("Held up at the carrier; we are following it"),
        "returned_to_sender": gettext("Being returned to you by the carrier"),
    }
    return words.get(status or "", gettext("Scanned by the carrier"))


def _last_scan(view: ReturnView) -> Step | None:
    scans = [e for e in view.timeline if e.kind == "parcel.tracking"]
    if not scans:
        return None
    return Step(scans[-1].created_at, _tracking_words((scans[-1].data or {}).get("status")))


def customer_view(session: Session, view: ReturnView, locale: str) -> dict[str, Any]:
    """What the status page shows, in the page's language."""
    request = view.request
    pickup = request.pickup
    rejected = view.status is ReturnStatus.REJECTED
    dropoff = request.method is ReturnMethod.DROPOFF
    return {
        "status_words": _status_words(view),
        # A rejection's text is the next step already: it is said once.
        "decision_message": "" if rejected else view.decision.get("message") or "",
        "replacements": _replacements(session, view),
        "refunds": [
            {
                "amount": refund.amount,
                "currency": refund.currency,
                "method": code_label(refund.method.value),
                "state": code_label(refund.status.value),
            }
            for refund in view.refunds
        ],
        "pickup": (
            {
                "when": pickup_when(pickup.pickup_date, pickup.slot, locale),
                "state": code_label(pickup.status.value),
                "confirmation_number": pickup.confirmation_number,
            }
            if pickup
            else None
        ),
        "slip": dropoff and request.status in _SLIP_STATUSES,
        "postage": postage_words(postage_payer(request)) if dropoff else "",
        # A carrier's printable label; the sandbox's inline image is no page to open.
        "label_url": request.label_url
        if request.status in _SLIP_STATUSES and (request.label_url or "").startswith("https:")
        else None,
        "tracking_number": request.tracking_number,
        "last_scan": _last_scan(view),
        "steps": _steps(view),
    }
