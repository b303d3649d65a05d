"""Return metrics over a period, computed in the database where it can be."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from returns_service.events import Event
from returns_service.orders.models import Order, OrderLine
from returns_service.portable_sql import among, hours_between
from returns_service.refunds.models import Refund, RefundStatus
from returns_service.returns.models import LineOutcome, ReturnLine, ReturnRequest, ReturnStatus

#: Events that decide a return; who wrote them tells a rule's decision from a person's.
DECIDING_EVENTS = ("return.approved", "return.rejected")


#: How long the review queue's requests have waited, in hours: the upper ends of the buckets.
QUEUE_AGE_BUCKETS = (24, 72, 168)
#: Hours from request to refund: the upper ends of the buckets.
REFUND_HOUR_BUCKETS = (24, 72, 168)


def _rate_by_product(session: Session, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Units sold and returned per SKU, with the product's name as the order lines call it.

    One query over the period's orders (by their index, kept apart as a materialized CTE so
    the planner cannot trade it for a scan of every order line): their lines summed per SKU,
    and the lines of their returns (found by the returns' order index, a return's lines being
    lines of its order) summed per SKU. Asking every order line for its returned units cost
    a lookup per line; the same SQL runs on SQLite, the demo's database.
    """
    recent = (
        select(Order.id)
        .where(Order.placed_at >= since, Order.placed_at < until)
        .cte("recent")
        .prefix_with("MATERIALIZED")
    )
    sold_per_sku = (
        select(
            OrderLine.sku,
            func.max(OrderLine.title).label("name"),
            func.sum(OrderLine.quantity).label("sold"),
        )
        .select_from(recent)
        .join(OrderLine, OrderLine.order_id == recent.c.id)
        .group_by(OrderLine.sku)
        .subquery("sold")
    )
    returned_per_sku = (
        select(OrderLine.sku, func.sum(ReturnLine.quantity).label("returned"))
        .select_from(ReturnRequest)
        .join(ReturnLine, ReturnLine.return_id == ReturnRequest.id)
        .join(OrderLine, OrderLine.id == ReturnLine.order_line_id)
        .where(
            among(ReturnRequest.order_id, select(recent.c.id).scalar_subquery()),
            ReturnLine.outcome != LineOutcome.REJECT,
            ReturnRequest.status.not_in((ReturnStatus.CANCELLED, ReturnStatus.REJECTED)),
        )
        .group_by(OrderLine.sku)
        .subquery("back")
    )
    sold, back = sold_per_sku.c, returned_per_sku.c
    query = select(sold.sku, sold.name, sold.sold, func.coalesce(back.returned, 0)).outerjoin(
        returned_per_sku, back.sku == sold.sku
    )
    rows = [
        {
            "sku": sku,
            "name": name,
            "sold": int(sold),
            "returned": int(back),
            "rate": round(int(back) / int(sold), 4) if sold else 0.0,
        }
        for sku, name, sold, back in session.execute(query)
    ]
    return sorted(rows, key=lambda row: (-row["rate"], row["sku"]))


def _reasons_and_outcomes(
    session: Session, since: datetime, until: datetime
) -> tuple[dict[str, int], dict[str, int]]:
    """Lines of the period's requests by reason and by outcome, counted in one pass."""
    query = (
        select(ReturnLine.reason, ReturnLine.outcome, func.count())
        .join(ReturnRequest, ReturnLine.return_id == ReturnRequest.id)
        .where(ReturnRequest.created_at >= since, ReturnRequest.created_at < until)
        .group_by(ReturnLine.reason, ReturnLine.outcome)
    )
    reasons: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    for reason, outcome, n in session.execute(query):
        for counted, key in ((reasons, reason), (outcomes, outcome)):
            if key is not None:
                counted[str(key.value if hasattr(key, "value") else key)] += int(n)
    return dict(reasons), dict(outcomes)


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


def _bucket_counts(value: Any, bounds: tuple[int, ...]) -> list[Any]:
    """``count(*) FILTER`` columns: below each bound in turn, then the rest."""
    columns, lower = [], None
    for bound in bounds:
        below = value < bound if lower is None else (value >= lower) & (value < bound)
        columns.append(func.count().filter(below))
        lower = bound
    columns.append(func.count().filter(value >= lower))
    return columns


def _buckets(bounds: tuple[int, ...], counts: Any) -> list[dict[str, Any]]:
    lows = (0, *bounds)
    highs = (*bounds, None)
    return [
        {"from_hours": low, "to_hours": high, "count": int(n)}
        for low, high, n in zip(lows, highs, counts, strict=True)
    ]


def _hours_to_refund(session: Session, since: datetime, until: datetime) -> dict[str, Any]:
    """Count, median, 90th percentile (interpolated) and buckets."""
    hours = hours_between(Refund.issued_at, ReturnRequest.created_at)
    refunded = (
        select(hours)
        .select_from(ReturnRequest)
        .join(Refund, Refund.return_id == ReturnRequest.id)
        .where(
            Refund.status == RefundStatus.SUCCEEDED,
            ReturnRequest.created_at >= since,
            ReturnRequest.created_at < until,
        )
        .subquery("refunded")
    )
    value = refunded.c[0]
    in_postgresql = session.get_bind().dialect.name == "postgresql"
    percentiles = [func.percentile_cont(q).within_group(value) for q in (0.5, 0.9)]
    refunds, *counts = session.execute(
        select(
            func.count(),
            *_bucket_counts(value, REFUND_HOUR_BUCKETS),
            *(percentiles if in_postgresql else ()),
        ).select_from(refunded)
    ).one()
    if in_postgresql:
        *counts, median, p90 = counts
    elif refunds:
        median, p90 = _median_and_p90([float(v) for v in session.scalars(select(value))])
    return {
        "refunds": int(refunds),
        "median_hours": round(float(median), 2) if refunds else None,
        "p90_hours": round(float(p90), 2) if refunds else None,
        "by_hours": _buckets(REFUND_HOUR_BUCKETS, counts),
    }


def _median_and_p90(values: list[float]) -> tuple[float, float]:
    """What ``percentile_cont`` gives (interpolated between values): SQLite, the demo's
    database, has no such aggregate."""
    if len(values) == 1:
        return values[0], values[0]
    deciles = statistics.quantiles(values, n=10, method="inclusive")
    return statistics.median(values), deciles[8]


def _queue(session: Session, now: datetime) -> dict[str, Any]:
    """The review queue's size, its oldest wait and how long its requests have waited."""
    created = ReturnRequest.created_at
    hours = hours_between(literal(now, created.type), created)
    waiting, oldest, *counts = session.execute(
        select(func.count(), func.min(created), *_bucket_counts(hours, QUEUE_AGE_BUCKETS)).where(
            ReturnRequest.status == ReturnStatus.REVIEW
        )
    ).one()
    return {
        "in_review": int(waiting),
        "oldest_waiting_hours": round((now - oldest).total_seconds() / 3600, 2) if oldest else None,
        "by_age": _buckets(QUEUE_AGE_BUCKETS, counts),
    }


def return_metrics(session: Session, since: datetime, until: datetime, now: datetime) -> dict:
    """Every number of the returns dashboard for requests (or orders) in [since, until)."""
    # The return rate by product is costed per order line of the period: PostgreSQL would
    # spend longer compiling it than running it.
    reasons, outcomes = _reasons_and_outcomes(session, since, until)
    return {
        "since": since.isoformat(),
        "until": until.isoformat(),
        "return_rate_by_product": _rate_by_product(session, since, until),
        "reasons": reasons,
        "line_outcomes": outcomes,
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
