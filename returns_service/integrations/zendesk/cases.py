"""Our returns and cancellations as the cases a Zendesk ticket tells about."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from returns_service.cancellations.models import Cancellation, CancellationStatus
from returns_service.integrations.zendesk.mapping import Case, CaseLine
from returns_service.returns.models import ReturnRequest, ReturnStatus
from rules import text_in

#: The states in which a case is waiting for a person: a ticket is worth opening.
NEEDS_A_PERSON = {
    "return": (ReturnStatus.REVIEW,),
    "cancellation": (CancellationStatus.REVIEW,),
}


def load(session: Session, subject_type: str, subject_id: int) -> Any:
    """The return or cancellation a ticket is about, or None."""
    model = {"return": ReturnRequest, "cancellation": Cancellation}.get(subject_type)
    return session.get(model, subject_id) if model else None


def _review_reason(lines: Any, locale: str) -> str:
    reasons = []
    for line in lines:
        action = (getattr(line, "decision", None) or {}).get("action") or {}
        if action.get("review_reason"):
            reasons.append(text_in(action["review_reason"], locale))
    return ", ".join(dict.fromkeys(reasons))


def case(subject_type: str, subject: Any, config: Mapping[str, Any]) -> Case:
    """The ticket's view of a return or a cancellation."""
    order = subject.order
    customer = order.customer
    public_url = config["PUBLIC_URL"].rstrip("/")
    if subject_type == "return":
        lines = [
            CaseLine(line.order_line.title, line.order_line.sku, line.quantity, line.reason)
            for line in subject.lines
        ]
        reference, staff_url = subject.rma, f"{public_url}/staff/returns/{subject.rma}"
        reason = _review_reason(subject.lines, config["DEFAULT_LOCALE"]) or ", ".join(
            subject.decision.get("rules", [])
        )
        priority = "normal"
    else:
        lines = [
            CaseLine(line.order_line.title, line.order_line.sku, line.quantity, subject.reason)
            for line in subject.lines
        ]
        reference = str(subject.id)
        staff_url = f"{public_url}/api/v1/cancellations/{subject.id}"
        reason = subject.reason or ""
        # A cancellation waits on a parcel that may leave any moment: it goes first.
        priority = "high"
    return Case(
        kind=subject_type,
        reference=reference,
        order_number=order.number,
        customer_name=customer.name if customer else "",
        customer_email=customer.email if customer and customer.email else "",
        locale=subject.locale,
        lines=lines,
        decision=subject.status.value,
        reason=reason,
        priority=priority,
        staff_url=staff_url,
    )
