"""Return metrics over a period, computed in the database where it can be."""

from __future__ import annotations

import statistics
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from returns_service.events import Event
from returns_service.orders.models import Order, OrderLine
from returns_service.refunds.models import Refund, RefundStatus
from returns_service.returns.models import LineOutcome, ReturnLine, ReturnRequest, ReturnStatus

#: Events that decide a return; who wrote them tells a rule's decision from a person's.
DECIDING_EVENTS = ("return.approved", "return.rejected")


def _rate_by_product(session: Session, since: datetime, until: datetime) -> list[dict[str, Any]]:
    sold = dict(
        session.execute(
            select(OrderLine.sku, func.sum(OrderLine.quantity))
            .join(Order, OrderLine.order_id == Order.id)
            .where(Order.placed_at >= since, Order.placed_at < until)
            .group_by(OrderLine.sku)
        ).all()
    )
    returned = dict(
        session.execute(
            select(OrderLine.sku, func.sum(ReturnLine.quantity))
            .join(ReturnLine, ReturnLine.order_line_id == OrderLine.id)
            .join(ReturnRequest, ReturnLine.return_id == ReturnRequest.id)
            .join(Order, OrderLine.order_id == Order.id)
            .where(
                Order.placed_at >= since,
                Order.placed_at < until,
                ReturnLine.outcome != LineOutcome.REJECT,
                ReturnRequest.status.not_in((ReturnStatus.CANCELLED, ReturnStatus.REJECTED)),
            )
            .group_by(OrderLine.sku)
        ).all()
    )
    rows = [
        {
            "sku": sku,
            "sold": int(units),
            "returned": int(returned.get(sku, 0)),
            "rate": round(int(returned.get(sku, 0)) / int(units), 4) if units else 0.0,
        }
        for sku, units in sold.items()
    ]
    return sorted(rows, key=lambda row: (-row["rate"], row["sku"]))


def _count_by(session: Session, column: Any, since: datetime, until: datetime) -> dict[str, int]:
    query = (
        select(column, func.count())
        .select_from(ReturnLine)
        .join(ReturnRequest, ReturnLine.return_id == ReturnRequest.id)
        .where(ReturnRequest.created_at >= since, ReturnRequest.created_at < until)
        .group_by(column)
    )
    return {
        str(key.value if hasattr(key, "value") else key): int(n)
        for key, n in session.execute(query)
        if key is not None
    }


def _automation(session: Session, since: datetime, until: datetime) -> dict[str, Any]:
    decided = dict(
        session.execute(
            select(Event.actor, func.count())
            .where(
                Event.subject_type == "return",
                Event.kind.in_(DECIDING_EVENTS),
                Event.created_at >= since,
                Event.created_at < until,
            )
            .group_by(Event.actor)
        ).all()
    )
    by_rules = decided.get("rules", 0)
    total = sum(decided.values())
    return {
        "decided": total,
        "decided_by_rules": by_rules,
        "share_by_rules": round(by_rules / total, 4) if total else 0.0,
    }


def _hours_to_refund(session: Session, since: datetime, until: datetime) -> dict[str, Any]:
    pairs = session.execute(
        select(ReturnRequest.created_at, Refund.issued_at)
        .join(Refund, Refund.return_id == ReturnRequest.id)
        .where(
            Refund.status == RefundStatus.SUCCEEDED,
            ReturnRequest.created_at >= since,
            ReturnRequest.created_at < until,
        )
    ).all()
    hours = sorted((issued - filed).total_seconds() / 3600 for filed, issued in pairs)
    if not hours:
        return {"refunds": 0, "median_hours": None, "p90_hours": None}
    p90 = hours[min(len(hours) - 1, int(round(0.9 * (len(hours) - 1))))]
    return {
        "refunds": len(hours),
        "median_hours": round(statistics.median(hours), 2),
        "p90_hours": round(p90, 2),
    }


def _queue(session: Session, now: datetime) -> dict[str, Any]:
    waiting = session.scalars(
        select(ReturnRequest.created_at).where(ReturnRequest.status == ReturnStatus.REVIEW)
    ).all()
    oldest = min(waiting, default=None)
    return {
        "in_review": len(waiting),
        "oldest_waiting_hours": round((now - oldest).total_seconds() / 3600, 2) if oldest else None,
    }


def return_metrics(session: Session, since: datetime, until: datetime, now: datetime) -> dict:
    """Every number of the returns dashboard for requests (or orders) in [since, until)."""
    return {
        "since": since.isoformat(),
        "until": until.isoformat(),
        "return_rate_by_product": _rate_by_product(session, since, until),
        "reasons": _count_by(session, ReturnLine.reason, since, until),
        "line_outcomes": _count_by(session, ReturnLine.outcome, since, until),
        "statuses": {
            status.value: int(n)
            for status, n in session.execute(
                select(ReturnRequest.status, func.count())
                .where(ReturnRequest.created_at >= since, ReturnRequest.created_at < until)
                .group_by(ReturnRequest.status)
            )
        },
        "automation": _automation(session, since, until),
        "time_to_refund": _hours_to_refund(session, since, until),
        "review_queue": _queue(session, now),
    }
