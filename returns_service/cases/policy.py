"""The desk's promises: the shop's calendar, due times, and priority from reasons and state."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any

from business_time import ShopCalendar
from returns_service.kept_values import KeptValues
from returns_service.setting_values import parse_case_priorities


class Priority(StrEnum):
    """How soon a case must be handled; staff pages show red, orange and green."""

    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"


#: Queues sort by this, most pressing first.
PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2}
#: How many due times and aging cutoffs a policy keeps before it starts again.
_REMEMBERED_DUE_TIMES = 20_000
_REMEMBERED_CUTOFFS = 64
#: How many listed cases of the work list a policy keeps.
_REMEMBERED_LISTED = 4096


@dataclass(frozen=True)
class CasePolicy:
    """Everything needed to triage a case and date its promises."""

    calendar: ShopCalendar
    first_response_days: int
    resolution_days: int
    #: ``{"urgent": {"reason:WRONG_ITEM", ...}, "high": {...}}``; the rest is normal.
    priorities: Mapping[str, frozenset[str]]
    aging_days: int
    #: ``(arrival, business days)`` to the moment they end: the lists show the same cases
    #: page after page, and the calendar's answer never changes.
    _ends: KeptValues[datetime] = field(
        default_factory=lambda: KeptValues(_REMEMBERED_DUE_TIMES),
        init=False,
        repr=False,
        compare=False,
    )
    _cutoffs: KeptValues[datetime] = field(
        default_factory=lambda: KeptValues(_REMEMBERED_CUTOFFS),
        init=False,
        repr=False,
        compare=False,
    )
    #: The work list's rows as ``work_rows`` worked them out under this policy.
    listed: KeptValues[Any] = field(
        default_factory=lambda: KeptValues(_REMEMBERED_LISTED),
        init=False,
        repr=False,
        compare=False,
    )

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> CasePolicy:
        """The policy from the app's settings: one per set of settings, so its calendar
        works out each year's holidays once rather than on every page."""
        return _policy(
            config["TIMEZONE"],
            config["BUSINESS_HOURS"],
            config["CLOSED_DAYS"],
            config["SLA_FIRST_RESPONSE_BUSINESS_DAYS"],
            config["SLA_RESOLUTION_BUSINESS_DAYS"],
            config["CASE_PRIORITIES"],
            config["CASE_AGING_BUSINESS_DAYS"],
        )

    def first_response_due(self, arrived_at: datetime) -> datetime:
        """When a case that arrived at ``arrived_at`` must have had its first answer."""
        return self._after(arrived_at, self.first_response_days)

    def resolution_due(self, arrived_at: datetime) -> datetime:
        """When a case that arrived at ``arrived_at`` must be decided."""
        return self._after(arrived_at, self.resolution_days)

    def base_priority(self, signals: Iterable[str]) -> Priority:
        """The priority the mapping gives a case's signals (``reason:X``, ``status:Y`` ...)."""
        seen = set(signals)
        for priority in (Priority.URGENT, Priority.HIGH):
            if seen & self.priorities.get(priority.value, frozenset()):
                return priority
        return Priority.NORMAL

    def aged(self, arrived_at: datetime, now: datetime) -> bool:
        """Whether a case has waited long enough that a normal one counts as high."""
        return now >= self._after(arrived_at, self.aging_days)

    def aging_cutoff(self, now: datetime) -> datetime:
        """The latest arrival that has aged by ``now``, to the second; worked out once a
        second (aging is monotonic, so it is bisected: two dozen steps of the calendar)."""
        second = now.replace(microsecond=0)
        return self._cutoffs.get(second, lambda: self._bisect_cutoff(second))

    def _bisect_cutoff(self, now: datetime) -> datetime:
        low, high = now - timedelta(days=7 * self.aging_days + 60), now
        while high - low > timedelta(seconds=1):
            middle = low + (high - low) / 2
            if now >= self.calendar.add_business_days(middle, self.aging_days):
                low = middle
            else:
                high = middle
        return low

    def _after(self, moment: datetime, days: int) -> datetime:
        """``days`` business days after ``moment``, worked out by the calendar once."""
        return self._ends.get((moment, days), lambda: self.calendar.add_business_days(moment, days))


@lru_cache(maxsize=8)
def _policy(
    timezone: str,
    business_hours: str,
    closed_days: str,
    first_response_days: int,
    resolution_days: int,
    priorities: str,
    aging_days: int,
) -> CasePolicy:
    """The policy of these settings' values (texts and numbers: a changed setting is
    another key)."""
    return CasePolicy(
        calendar=ShopCalendar.from_settings(timezone, business_hours, closed_days),
        first_response_days=first_response_days,
        resolution_days=resolution_days,
        priorities=parse_case_priorities(priorities),
        aging_days=aging_days,
    )
