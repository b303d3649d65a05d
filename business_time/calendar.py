"""Business time: when the shop is open, and a span of business days counted from a moment.

A business day is a day that is not a weekend day, a public holiday or one of the shop's
closed days. "N business days after t" counts N times a day's open hours of open time from
``t``: a case filed on Monday at 15:00 with hours 10:00-18:00 is due one business day later
on Tuesday at 15:00; one filed after closing, or on a holiday, starts counting at the next
opening, so one filed on Friday evening is due on Monday at 18:00.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays

from business_time.parsing import ClosedSpan, parse_business_hours, parse_closed_days

SATURDAY, SUNDAY = 5, 6
#: Enough to cross the longest closure a shop would configure; past it something is wrong.
_MAX_DAYS_SEARCHED = 3660


@dataclass(frozen=True)
class ShopCalendar:
    """A shop's opening calendar in its own time zone."""

    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Tokyo"))
    opens: time = time(10, 0)
    closes: time = time(18, 0)
    weekend: frozenset[int] = frozenset({SATURDAY, SUNDAY})
    closed: tuple[ClosedSpan, ...] = ()
    #: ISO country whose public holidays close the shop; None for none.
    holiday_country: str | None = "JP"
    _holidays: Any = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.opens >= self.closes:
            raise ValueError("the shop must open before it closes, on the same day")
        if len(self.weekend) >= 7:
            raise ValueError("a shop closed every day of the week has no business time")
        table = holidays.country_holidays(self.holiday_country) if self.holiday_country else {}
        object.__setattr__(self, "_holidays", table)

    @classmethod
    def from_settings(
        cls, timezone: str, business_hours: str, closed_days: str, holiday_country: str = "JP"
    ) -> ShopCalendar:
        """A calendar from the settings' texts (``Asia/Tokyo``, ``10:00-18:00``, ``12/29-1/3``)."""
        opens, closes = parse_business_hours(business_hours)
        return cls(
            timezone=ZoneInfo(timezone),
            opens=opens,
            closes=closes,
            closed=parse_closed_days(closed_days),
            holiday_country=holiday_country or None,
        )

    @property
    def day_length(self) -> timedelta:
        """The open time of one business day."""
        today = date(2000, 1, 3)
        return datetime.combine(today, self.closes) - datetime.combine(today, self.opens)

    def is_business_day(self, day: date) -> bool:
        """Whether the shop works on ``day`` (a date in the shop's time zone)."""
        if day.weekday() in self.weekend or day in self._holidays:
            return False
        return not any(span.covers(day) for span in self.closed)

    def is_open(self, moment: datetime) -> bool:
        """Whether ``moment`` falls within business hours on a business day."""
        local = self._local(moment)
        return self.is_business_day(local.date()) and self.opens <= local.time() < self.closes

    def next_opening(self, moment: datetime) -> datetime:
        """``moment`` itself when the shop is open then, else the next time it opens."""
        local = self._local(moment)
        day = local.date()
        if self.is_business_day(day) and local.time() < self.closes:
            return max(local, self._at(day, self.opens))
        return self._at(self._next_business_day(day), self.opens)

    def add_business_days(self, moment: datetime, days: int | float) -> datetime:
        """The moment ``days`` business days of open time after ``moment`` (shop's zone)."""
        if days < 0:
            raise ValueError("business days to add must not be negative")
        return self.add_open_time(moment, self.day_length * days)

    def add_open_time(self, moment: datetime, span: timedelta) -> datetime:
        """The moment ``span`` of open time after ``moment``, counted only while open."""
        current = self.next_opening(moment)
        left = span
        while True:
            closing = self._at(current.date(), self.closes)
            if current + left <= closing:
                return current + left
            left -= closing - current
            current = self._at(self._next_business_day(current.date()), self.opens)

    def open_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Open time from ``start`` to ``end``; nothing when ``end`` is not after ``start``."""
        total = timedelta()
        current = self.next_opening(start)
        end = self._local(end)
        while current < end:
            closing = self._at(current.date(), self.closes)
            total += min(closing, end) - current
            current = self._at(self._next_business_day(current.date()), self.opens)
        return total

    def business_days(self, first: date, last: date) -> Iterable[date]:
        """The business days from ``first`` to ``last`` inclusive."""
        day = first
        while day <= last:
            if self.is_business_day(day):
                yield day
            day += timedelta(days=1)

    def _next_business_day(self, day: date) -> date:
        for _ in range(_MAX_DAYS_SEARCHED):
            day += timedelta(days=1)
            if self.is_business_day(day):
                return day
        raise ValueError(f"no business day within {_MAX_DAYS_SEARCHED} days after {day}")

    def _at(self, day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, tzinfo=self.timezone)

    def _local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ValueError(f"naive datetime {moment!r}: times must carry a time zone")
        return moment.astimezone(self.timezone)
