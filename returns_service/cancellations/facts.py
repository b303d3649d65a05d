"""The facts the cancellation rules see, and past cancellations for a draft to be tried on."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

import rules
from returns_service.cancellations.models import Cancellation
from returns_service.orders.models import FulfillmentStatus, Order, OrderLine
from returns_service.returns.facts import CustomerHistory

#: Tags (compared without case) that mark a line as made to order.
MADE_TO_ORDER_TAGS = frozenset({"made-to-order", "made_to_order", "受注生産"})


def is_made_to_order(line: OrderLine) -> bool:
    """Whether the shop tagged the line's product as made to order."""
    return any(tag.strip().lower() in MADE_TO_ORDER_TAGS for tag in line.tags)


def cancellation_facts(
    order: Order,
    lines: Iterable[OrderLine],
    *,
    stage: FulfillmentStatus,
    whole_order: bool,
    history: CustomerHistory,
    now: datetime,
    timezone: str,
) -> dict[str, Any]:
    """Every fact of the cancellation scope for a request to cancel ``lines`` of ``order``."""
    zone = ZoneInfo(timezone)
    return {
        "days_since_order": (
            now.astimezone(zone).date() - order.placed_at.astimezone(zone).date()
        ).days,
        "hours_since_order": round(max((now - order.placed_at).total_seconds(), 0) / 3600, 2),
        "order_total": order.total_amount,
        "currency": order.currency,
        "customer_orders": history.orders,
        "payment_method": order.payment_method or order.payment_provider,
        "shipping_country": order.shipping_country,
        "is_subscription": order.is_subscription,
        "fulfillment_status": stage.value,
        "is_made_to_order": any(is_made_to_order(line) for line in lines),
        "cancel_scope": "order" if whole_order else "lines",
    }


def past_cancellation_decisions(
    session: Session,
    *,
    last: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Iterator[rules.PastLineDecision]:
    """The last ``last`` cancellations, or those filed in [since, until), as decided then.

    A cancellation is decided as a whole, so it is one "line" of the simulation.
    """
    query = select(Cancellation.id, Cancellation.decision).order_by(Cancellation.id.desc())
    if since is not None:
        query = query.where(Cancellation.created_at >= since)
    if until is not None:
        query = query.where(Cancellation.created_at < until)
    if last is not None:
        query = query.limit(last)
    for cancellation_id, decision in reversed(session.execute(query).all()):
        if not decision or "facts" not in decision:
            continue
        yield rules.PastLineDecision(
            request_id=cancellation_id,
            line_id=cancellation_id,
            facts=decision["facts"],
            outcome=rules.Outcome(decision["outcome"]),
            rule=decision["rule"],
        )
