"""Business time on the shop's calendar: weekends, Japanese holidays, closed days, zones."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from business_time import (
    CalendarSettingError,
    ShopCalendar,
    parse_business_hours,
    parse_closed_days,
)

TOKYO = ZoneInfo("Asia/Tokyo")


def tokyo(*args: int) -> datetime:
    return datetime(*args, tzinfo=TOKYO)


@pytest.fixture
def shop() -> ShopCalendar:
    """10:00-18:00 in Tokyo, closed at New Year (12/29-1/3) and on 2026-08-14."""
    return ShopCalendar.from_settings("Asia/Tokyo", "10:00-18:00", "12/29-1/3, 2026-08-14")


def test_one_business_day_is_a_day_of_open_time(shop):
    # Tuesday 2026-12-01 15:00 -> Wednesday 15:00
    assert shop.add_business_days(tokyo(2026, 12, 1, 15, 0), 1) == tokyo(2026, 12, 2, 15, 0)
    assert shop.add_business_days(tokyo(2026, 12, 1, 15, 0), 3) == tokyo(2026, 12, 4, 15, 0)


def test_weekends_are_skipped(shop):
    # Friday 2026-12-04 15:00 + 1 -> Monday 12-07 15:00
    assert shop.add_business_days(tokyo(2026, 12, 4, 15, 0), 1) == tokyo(2026, 12, 7, 15, 0)


def test_filed_after_hours_counts_from_the_next_opening(shop):
    # Friday 20:00: nothing counts until Monday 10:00; one day of open time ends at 18:00.
    assert shop.add_business_days(tokyo(2026, 12, 4, 20, 0), 1) == tokyo(2026, 12, 7, 18, 0)
    # Before opening on a business day: from that day's opening.
    assert shop.add_business_days(tokyo(2026, 12, 1, 7, 30), 1) == tokyo(2026, 12, 1, 18, 0)


def test_japanese_public_holidays_are_skipped(shop):
    # 2026-11-23 (Mon) is 勤労感謝の日: filed on Friday 11-20 at 11:00, due Tuesday 11-24.
    assert not shop.is_business_day(date(2026, 11, 23))
    assert shop.add_business_days(tokyo(2026, 11, 20, 11, 0), 1) == tokyo(2026, 11, 24, 11, 0)


def test_filed_on_a_holiday(shop):
    # Silver Week 2026: 9-21 敬老の日, 9-22 国民の休日, 9-23 秋分の日.
    filed = tokyo(2026, 9, 21, 12, 0)
    assert not shop.is_open(filed)
    assert shop.next_opening(filed) == tokyo(2026, 9, 24, 10, 0)
    assert shop.add_business_days(filed, 2) == tokyo(2026, 9, 25, 18, 0)


def test_golden_week_with_its_substitute_holiday(shop):
    # 5-3 (Sun) 憲法記念日, 5-4, 5-5, and 5-6 振替休日: Friday 5-1 14:00 + 1 -> Thursday 5-7.
    assert shop.add_business_days(tokyo(2026, 5, 1, 14, 0), 1) == tokyo(2026, 5, 7, 14, 0)


def test_yearly_closed_span_across_new_year(shop):
    for day in (date(2026, 12, 29), date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 3)):
        assert not shop.is_business_day(day)
    # Monday 12-28 16:00 + 1 day: 2h on 12-28, then 12-29..1-3 closed, Monday 1-4 6h -> 16:00.
    assert shop.add_business_days(tokyo(2026, 12, 28, 16, 0), 1) == tokyo(2027, 1, 4, 16, 0)


def test_single_closed_date(shop):
    # Thursday 2026-08-13 17:00 + 1: 1h that day, Friday 8-14 closed (Obon), 7h on Monday.
    assert shop.add_business_days(tokyo(2026, 8, 13, 17, 0), 1) == tokyo(2026, 8, 17, 17, 0)


def test_a_time_given_in_utc_is_read_in_the_shop_zone(shop):
    # 2026-12-01 00:30 UTC is 09:30 in Tokyo: before opening, so counting starts at 10:00.
    due = shop.add_business_days(datetime(2026, 12, 1, 0, 30, tzinfo=UTC), 1)
    assert due == tokyo(2026, 12, 1, 18, 0)
    assert due.astimezone(UTC) == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    # 2026-12-01 23:00 UTC is already Wednesday 08:00 in Tokyo.
    assert not shop.is_open(datetime(2026, 12, 1, 23, 0, tzinfo=UTC))
    assert shop.is_open(datetime(2026, 12, 2, 1, 0, tzinfo=UTC))


def test_another_zone_without_japanese_holidays_across_daylight_saving():
    new_york = ShopCalendar.from_settings("America/New_York", "09:00-17:00", "", "")
    ny = ZoneInfo("America/New_York")
    # DST ended on Sunday 2026-11-01: Friday 10-30 12:00 + 1 day -> Monday 11-02 12:00 local.
    due = new_york.add_business_days(datetime(2026, 10, 30, 12, 0, tzinfo=ny), 1)
    assert due == datetime(2026, 11, 2, 12, 0, tzinfo=ny)
    assert due.utcoffset() == timedelta(hours=-5)
    assert new_york.is_business_day(date(2026, 11, 23))  # a Japanese holiday, not theirs


def test_is_open_at_the_edges(shop):
    assert shop.is_open(tokyo(2026, 12, 1, 10, 0))
    assert shop.is_open(tokyo(2026, 12, 1, 17, 59))
    assert not shop.is_open(tokyo(2026, 12, 1, 18, 0))
    assert not shop.is_open(tokyo(2026, 12, 5, 12, 0))  # Saturday


def test_open_time_between(shop):
    # Friday 16:00 to Monday 11:00: 2h + 1h.
    assert shop.open_time_between(tokyo(2026, 12, 4, 16, 0), tokyo(2026, 12, 7, 11, 0)) == (
        timedelta(hours=3)
    )
    assert shop.open_time_between(tokyo(2026, 12, 7, 11, 0), tokyo(2026, 12, 4, 16, 0)) == (
        timedelta()
    )


def test_zero_days_is_the_next_opening(shop):
    assert shop.add_business_days(tokyo(2026, 12, 5, 9, 0), 0) == tokyo(2026, 12, 7, 10, 0)


def test_naive_times_are_refused(shop):
    with pytest.raises(ValueError, match="naive"):
        shop.add_business_days(datetime(2026, 12, 1, 10, 0), 1)


def test_business_hours_are_read_and_checked():
    assert parse_business_hours("09:30-17:45") == (time(9, 30), time(17, 45))
    for bad in ("10-18", "18:00-10:00", "10:00-25:00", ""):
        with pytest.raises(CalendarSettingError):
            parse_business_hours(bad)


def test_closed_days_are_read_and_checked():
    spans = parse_closed_days("12/29-1/3, 5/1, 2026-08-13..2026-08-16")
    assert [s.yearly for s in spans] == [True, True, False]
    assert spans[1].covers(date(2031, 5, 1))
    assert spans[2].covers(date(2026, 8, 15)) and not spans[2].covers(date(2027, 8, 15))
    for bad in ("13/1", "2026-02-30", "2026-08-16..2026-08-13", "tomorrow"):
        with pytest.raises(CalendarSettingError, match="closed days"):
            parse_closed_days(bad)


def test_business_days_listing(shop):
    days = list(shop.business_days(date(2026, 12, 26), date(2027, 1, 6)))
    assert days == [date(2026, 12, 28), date(2027, 1, 4), date(2027, 1, 5), date(2027, 1, 6)]
