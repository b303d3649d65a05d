"""Jump alerts: a product's return rate, or one reason's share of its returns, jumps.

The rule, per product, on whole days in the shop's time zone. The window is the last
``WINDOW_DAYS`` complete days; the baseline is the ``BASELINE_DAYS`` before it.

- Return rate: ``k`` units returned in the window (by filing day) against ``λ = r × n``,
  ``n`` the units sold in the window (by order day) and ``r`` the baseline's returned units
  over units sold, a baseline without returns counting one. Alert when ``k >= MIN_COUNT``,
  the baseline sold at least ``MIN_BASELINE_UNITS`` and ``P(X >= k) < ALPHA`` for
  ``X ~ Poisson(λ)``.
- Reason share: ``k`` of the window's ``n`` returned units give one reason, against its
  baseline share ``p`` (a reason never given counting once). Alert when ``k >= MIN_COUNT``,
  the baseline has at least ``MIN_BASELINE_RETURNS`` returned units and ``P(X >= k) < ALPHA``
  for ``X ~ Binomial(n, p)``.

Each jump is announced once per window (a row in ``jump_alerts``): an e-mail to the desk and
a ``product.return_rate_jump`` webhook.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from returns_service.insight.models import JumpAlert
from returns_service.insight.stats import binomial_tail, poisson_tail
from returns_service.notifications.desk import email_desk
from returns_service.notifications.webhooks import queue_webhook
from returns_service.orders.models import Order, OrderLine
from returns_service.returns.models import LineOutcome, ReturnLine, ReturnRequest, ReturnStatus

WINDOW_DAYS = 7
BASELINE_DAYS = 28
ALPHA = 0.01
MIN_COUNT = 3
MIN_BASELINE_UNITS = 20
MIN_BASELINE_RETURNS = 10


@dataclass(frozen=True)
class Jump:
    """One jump found: what jumped, by how much, and how unlikely it was."""

    sku: str
    metric: str  # return_rate or reason_share
    reason: str
    observed: int
    trials: int
    baseline_rate: float
    expected: float
    p_value: float
    window_start: date
    window_end: date

    def as_dict(self) -> dict[str, object]:
        """The webhook's and the e-mail's shape."""
        return {
            "sku": self.sku,
            "metric": self.metric,
            "reason": self.reason or None,
            "observed": self.observed,
            "trials": self.trials,
            "baseline_rate": round(self.baseline_rate, 4),
            "expected": round(self.expected, 2),
            "p_value": round(self.p_value, 6),
            "window_start": self.window_start.isoformat(),
            "window_end": self.window_end.isoformat(),
        }


def _start(day: date, timezone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timezone)


def _sold(session: Session, since: datetime, until: datetime) -> dict[str, int]:
    rows = session.execute(
        select(OrderLine.sku, func.sum(OrderLine.quantity))
        .join(Order, OrderLine.order_id == Order.id)
        .where(Order.placed_at >= since, Order.placed_at < until)
        .group_by(OrderLine.sku)
    )
    return {sku: int(units) for sku, units in rows}


def _returned(session: Session, since: datetime, until: datetime) -> dict[tuple[str, str], int]:
    rows = session.execute(
        select(OrderLine.sku, ReturnLine.reason, func.sum(ReturnLine.quantity))
        .join(ReturnLine, ReturnLine.order_line_id == OrderLine.id)
        .join(ReturnRequest, ReturnLine.return_id == ReturnRequest.id)
        .where(
            ReturnRequest.created_at >= since,
            ReturnRequest.created_at < until,
            ReturnRequest.status != ReturnStatus.CANCELLED,
            ReturnLine.outcome.is_distinct_from(LineOutcome.REJECT),
        )
        .group_by(OrderLine.sku, ReturnLine.reason)
    )
    return {(sku, reason): int(units) for sku, reason, units in rows}


def find_jumps(session: Session, today: date, timezone: ZoneInfo) -> list[Jump]:
    """The jumps in the window ending the day before ``today`` (a date in the shop's zone)."""
    window_end = today - timedelta(days=1)
    window_start = today - timedelta(days=WINDOW_DAYS)
    baseline_start = window_start - timedelta(days=BASELINE_DAYS)
    edges = [_start(d, timezone) for d in (baseline_start, window_start, today)]
    sold_base, sold_window = _sold(session, *edges[:2]), _sold(session, *edges[1:])
    by_reason_base = _by_sku(_returned(session, *edges[:2]))
    by_reason_window = _by_sku(_returned(session, *edges[1:]))
    jumps = []
    span = {"window_start": window_start, "window_end": window_end}
    for sku, reasons in sorted(by_reason_window.items()):
        returned = sum(reasons.values())
        base_reasons = by_reason_base.get(sku, {})
        base_returned = sum(base_reasons.values())
        base_sold = sold_base.get(sku, 0)
        if returned >= MIN_COUNT and base_sold >= MIN_BASELINE_UNITS:
            rate = max(base_returned, 1) / base_sold
            expected = rate * sold_window.get(sku, 0)
            p_value = poisson_tail(returned, expected)
            if p_value < ALPHA:
                jumps.append(
                    Jump(
                        sku,
                        "return_rate",
                        "",
                        returned,
                        sold_window.get(sku, 0),
                        rate,
                        expected,
                        p_value,
                        **span,
                    )
                )
        if base_returned < MIN_BASELINE_RETURNS:
            continue
        for reason, count in sorted(reasons.items()):
            share = max(base_reasons.get(reason, 0), 1) / base_returned
            p_value = binomial_tail(count, returned, share)
            if count >= MIN_COUNT and p_value < ALPHA:
                jumps.append(
                    Jump(
                        sku,
                        "reason_share",
                        reason,
                        count,
                        returned,
                        share,
                        share * returned,
                        p_value,
                        **span,
                    )
                )
    return jumps


def _by_sku(counts: dict[tuple[str, str], int]) -> dict[str, dict[str, int]]:
    grouped: dict[str, dict[str, int]] = defaultdict(dict)
    for (sku, reason), units in counts.items():
        grouped[sku][reason] = units
    return grouped


def announce_jumps(session: Session, now: datetime, timezone: ZoneInfo) -> list[Jump]:
    """Find today's jumps and announce each new one once: a row, an e-mail, a webhook."""
    today = now.astimezone(timezone).date()
    announced = []
    for jump in find_jumps(session, today, timezone):
        alert = JumpAlert(
            sku=jump.sku,
            metric=jump.metric,
            reason=jump.reason,
            window_end=jump.window_end,
            observed=jump.observed,
            trials=jump.trials,
            baseline_rate=jump.baseline_rate,
            p_value=jump.p_value,
            created_at=now,
        )
        try:
            # The unique key decides between workers running the round at the same time.
            with session.begin_nested():
                session.add(alert)
        except IntegrityError:
            continue  # announced already
        queue_webhook(session, now, "product.return_rate_jump", jump.as_dict())
        announced.append(jump)
    if announced:
        email_desk(session, now, "return_rate_jump", {"jumps": [j.as_dict() for j in announced]})
    return announced
