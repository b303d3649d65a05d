"""What a customer may still return, line by line, with the reason when they may not."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from returns_service.orders.models import Order
from returns_service.returns.quantities import (
    delivered_at,
    delivered_quantities,
    returnable_quantities,
)

#: Customer-facing reasons why a line cannot be returned.
REASONS = {
    "not_delivered": {
        "ja": "まだお届けしていない商品です。",
        "en": "This item has not been delivered yet.",
    },
    "final_sale": {
        "ja": "セール品のため返品できません。",
        "en": "Final-sale items cannot be returned.",
    },
    "already_returned": {
        "ja": "すでに返品のお申し込みがあります。",
        "en": "This item has already been returned.",
    },
    "window_closed": {
        "ja": "返品受付期間（お届けから{days}日）を過ぎています。",
        "en": "The return window ({days} days from delivery) has closed.",
    },
}


@dataclass(frozen=True, slots=True)
class LineEligibility:
    """Whether one line can be returned, how many units, and why not."""

    line_id: int
    returnable_quantity: int
    eligible: bool
    reason: str | None
    message: dict[str, str] | None


def order_eligibility(
    session: Session,
    order: Order,
    now: datetime,
    window_days: int | None,
    timezone: str,
    returned: Counter[int] | None = None,
) -> list[LineEligibility]:
    """Each line's eligibility, as the portal shows it before the customer files.

    The rules have the last word when the request is filed; this only spares the
    customer a request that cannot succeed. With ``window_days`` None the window is left
    to the rules (the pages ask them: ``returns.preview``). ``returned``: the units the
    order's returns hold, when the caller read them with the order; otherwise they are read.
    """
    zone = ZoneInfo(timezone)
    delivered = delivered_quantities(order)
    returnable = returnable_quantities(session, order, returned)
    result = []
    for line in order.lines:
        reason = None
        arrived = delivered_at(order, line)
        if delivered[line.id] == 0:
            reason = "not_delivered"
        elif line.is_final_sale:
            reason = "final_sale"
        elif returnable[line.id] == 0:
            reason = "already_returned"
        elif (
            window_days is not None
            and arrived
            and (now.astimezone(zone).date() - arrived.astimezone(zone).date()).days > window_days
        ):
            reason = "window_closed"
        message = (
            {lang: text.format(days=window_days) for lang, text in REASONS[reason].items()}
            if reason
            else None
        )
        result.append(
            LineEligibility(
                line_id=line.id,
                returnable_quantity=0 if reason else returnable[line.id],
                eligible=reason is None,
                reason=reason,
                message=message,
            )
        )
    return result
