"""Pickup time slots such as ``"14-16"`` and the windows they describe on a given day."""

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo

_SLOT = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*-\s*(\d{1,2})(?::(\d{2}))?\s*$")


def parse_slot(slot: str) -> tuple[timedelta, timedelta]:
    """Return the slot's start and end as offsets from midnight; ``ValueError`` if malformed."""
    match = _SLOT.match(slot)
    if match is None:
        raise ValueError(f"pickup slot must look like '14-16' or '14:00-16:30', got {slot!r}")
    start_h, start_m, end_h, end_m = (int(part or 0) for part in match.groups())
    start = timedelta(hours=start_h, minutes=start_m)
    end = timedelta(hours=end_h, minutes=end_m)
    # "18-24" is a real slot: an end of 24 means midnight at the end of the day.
    if max(start_m, end_m) > 59 or not start < end <= timedelta(hours=24):
        raise ValueError(f"pickup slot {slot!r} is not a window within one day")
    return start, end


def pickup_window(day: date, slot: str, tz: tzinfo) -> tuple[datetime, datetime]:
    """Return the slot on ``day`` as UTC datetimes, reading its hours as wall time in ``tz``."""
    start, end = parse_slot(slot)
    midnight = datetime.combine(day, time())
    return (
        _wall_time(midnight + start, tz),
        _wall_time(midnight + end, tz),
    )


def _wall_time(naive: datetime, tz: tzinfo) -> datetime:
    return naive.replace(tzinfo=tz).astimezone(UTC)
