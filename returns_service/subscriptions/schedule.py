"""When a subscription's deliveries fall, as far as its orders tell.

The subscription system owns the schedule; this service sees only the orders it placed.
The interval is the median gap between them (or the shop's setting with fewer than two),
and the next delivery follows the last order by that interval, unless the storefront
said when it is. The dates only inform the customer's e-mail and the webhook.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from statistics import median
from zoneinfo import ZoneInfo


def interval_days(placed: Sequence[datetime], default: int) -> int:
    """Days between deliveries: the median gap between orders, at least one day."""
    ordered = sorted(placed)
    gaps = [(b - a).days for a, b in zip(ordered, ordered[1:], strict=False)]
    gaps = [gap for gap in gaps if gap > 0]
    return max(int(median(gaps)), 1) if gaps else default


def next_delivery(placed: Sequence[datetime], interval: int, now: datetime, timezone: str) -> date:
    """The first delivery after today: the last order's date plus whole intervals."""
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    when = max(placed).astimezone(zone).date() + timedelta(days=interval)
    if when <= today:
        when += timedelta(days=interval * ((today - when).days // interval + 1))
    return when


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it has fewer."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
