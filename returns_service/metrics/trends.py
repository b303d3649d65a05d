"""The dashboard's numbers over time and in money: requests per day, refunds and credit.

Each is one aggregate query over an indexed period column, counted per day in the shop's
time zone so that a day on the chart is the shop's day.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from returns_service.cancellations.models import Cancellation
from returns_service.refunds.models import Refund, RefundStatus
from returns_service.returns.models import ReturnRequest
from returns_service.subscriptions.models import SubscriptionCancellation

#: The requests counted per day, by the name of their series.
DAILY_SERIES: dict[str, InstrumentedAttribute[datetime]] = {
    "returns": ReturnRequest.created_at,
    "cancellations": Cancellation.created_at,
    "subscription_cancellations": SubscriptionCancellation.created_at,
}


def days(since: datetime, until: datetime, timezone: str) -> list[date]:
    """Every day of the shop's calendar that the period [since, until) touches."""
    zone = ZoneInfo(timezone)
    first = since.astimezone(zone).date()
    last = (until - timedelta(microseconds=1)).astimezone(zone).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _per_day(
    session: Session, column: Any, since: datetime, until: datetime, timezone: str
) -> dict[date, int]:
    in_period = (column >= since, column < until)
    if session.get_bind().dialect.name != "postgresql":
        # SQLite (the demo's database) knows no time zones: its few rows are counted here.
        zone = ZoneInfo(timezone)
        moments = session.scalars(select(column).where(*in_period))
        return dict(Counter(moment.astimezone(zone).date() for moment in moments))
    day = func.date(func.timezone(timezone, column))
    query = select(day, func.count()).where(*in_period).group_by(day)
    return {found: int(n) for found, n in session.execute(query)}


def requests_per_day(
    session: Session, since: datetime, until: datetime, timezone: str
) -> list[dict[str, Any]]:
    """Per day of the period: returns, order cancellations and subscription cancellations."""
    counted = {
        name: _per_day(session, column, since, until, timezone)
        for name, column in DAILY_SERIES.items()
    }
    return [
        {"day": day, **{name: counted[name].get(day, 0) for name in DAILY_SERIES}}
        for day in days(since, until, timezone)
    ]


def money_returned(session: Session, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Refunds issued in the period, per way back (card or store credit) and currency."""
    query = (
        select(Refund.method, Refund.currency, func.count(), func.sum(Refund.amount))
        .where(
            Refund.status == RefundStatus.SUCCEEDED,
            Refund.issued_at >= since,
            Refund.issued_at < until,
        )
        .group_by(Refund.method, Refund.currency)
        .order_by(Refund.currency, Refund.method)
    )
    return [
        {"method": method.value, "currency": currency, "refunds": int(n), "amount": int(amount)}
        for method, currency, n, amount in session.execute(query)
    ]
