"""Reading the calendar's settings: business hours and the shop's own closed days."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time


class CalendarSettingError(ValueError):
    """A business-hours or closed-days text the calendar cannot read; the message says why."""


_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_MONTH_DAY = re.compile(r"^(\d{1,2})/(\d{1,2})$")


@dataclass(frozen=True)
class ClosedSpan:
    """Closed from ``first`` to ``last`` inclusive; a yearly span repeats every year."""

    first: date
    last: date
    #: Written as month/day: the same days every year (a span may cross New Year).
    yearly: bool = False

    def covers(self, day: date) -> bool:
        """Whether the shop is closed on ``day`` because of this span."""
        if not self.yearly:
            return self.first <= day <= self.last
        key = (day.month, day.day)
        start = (self.first.month, self.first.day)
        end = (self.last.month, self.last.day)
        if start <= end:
            return start <= key <= end
        return key >= start or key <= end  # 12/29-1/3 wraps round the year's end


def parse_business_hours(text: str) -> tuple[time, time]:
    """``"10:00-18:00"`` as (opens, closes); opening must come before closing, same day."""
    match = _HOURS.match(text or "")
    if not match:
        raise CalendarSettingError(f"business hours must look like 10:00-18:00, got {text!r}")
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    try:
        opens, closes = time(h1, m1), time(h2, m2)
    except ValueError:
        raise CalendarSettingError(
            f"business hours {text!r} name a time that does not exist"
        ) from None
    if opens >= closes:
        raise CalendarSettingError(f"business hours {text!r} must open before they close")
    return opens, closes


def parse_closed_days(text: str) -> tuple[ClosedSpan, ...]:
    """Comma-separated days the shop is closed besides weekends and public holidays.

    Each item is a date (``2026-08-14``), a range of dates (``2026-08-13..2026-08-16``), a
    day every year (``5/1``) or a span every year (``12/29-1/3``).
    """
    spans = []
    for item in (part.strip() for part in (text or "").split(",")):
        if item:
            spans.append(_parse_span(item))
    return tuple(spans)


def _parse_span(item: str) -> ClosedSpan:
    if ".." in item:
        first, _, last = item.partition("..")
        span = ClosedSpan(_iso_date(first.strip(), item), _iso_date(last.strip(), item))
        if span.first > span.last:
            raise CalendarSettingError(f"closed days {item!r}: the range ends before it starts")
        return span
    if "/" in item:
        first, _, last = item.partition("-")
        start = _month_day(first.strip(), item)
        return ClosedSpan(start, _month_day(last.strip(), item) if last else start, yearly=True)
    day = _iso_date(item, item)
    return ClosedSpan(day, day)


def _iso_date(text: str, item: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CalendarSettingError(
            f"closed days {item!r}: write dates as 2026-08-14, ranges as 2026-08-13..2026-08-16, "
            "yearly days as 5/1 and yearly spans as 12/29-1/3"
        ) from None


def _month_day(text: str, item: str) -> date:
    match = _MONTH_DAY.match(text)
    try:
        if not match:
            raise ValueError(text)
        # A leap year, so that 2/29 is a day that can be named.
        return date(2000, int(match.group(1)), int(match.group(2)))
    except ValueError:
        raise CalendarSettingError(
            f"closed days {item!r}: {text!r} is not a month/day such as 12/29"
        ) from None
