"""The shop's calendar: business hours, weekends, public holidays and closed days.

Imports only the standard library and the ``holidays`` package; never the Flask app.
"""

from business_time.calendar import ShopCalendar
from business_time.parsing import CalendarSettingError, parse_business_hours, parse_closed_days

__all__ = [
    "CalendarSettingError",
    "ShopCalendar",
    "parse_business_hours",
    "parse_closed_days",
]
