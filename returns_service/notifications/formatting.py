"""Money and dates in e-mails, written by Babel as each language writes them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers

from returns_service.money import exponent

#: How a calendar date is written in each language (Babel patterns): ``2026年12月11日（金）``,
#: ``Friday, 11 December 2026``.
DATE_PATTERNS = {"ja": "y年M月d日（E）", "en": "EEEE, d MMMM y"}


@lru_cache(maxsize=32)
def babel_locale(locale: str) -> Locale:
    """Babel's locale of a language code, parsed once: given the code, Babel parses it and
    looks its data up again at every call (three times the cost of the formatting)."""
    return Locale.parse(locale)


@lru_cache(maxsize=4096)
def day_in_words(day: date, pattern: str, locale: str) -> str:
    """``day`` written by Babel's ``pattern`` in ``locale``; the same few days (today, a due
    date) are written again and again."""
    return babel_dates.format_date(day, pattern, locale=babel_locale(locale))


def format_date(value: date | datetime | str, locale: str, timezone: str) -> str:
    """A calendar date for people; a point in time is first moved to the shop's time zone."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: times must carry a time zone")
        value = value.astimezone(ZoneInfo(timezone)).date()
    return day_in_words(value, DATE_PATTERNS[locale], locale)


def format_amount(amount: int, currency: str, locale: str) -> str:
    """Minor units written as the language writes money: ``￥12,800``, ``$128.00``."""
    value = Decimal(amount).scaleb(-exponent(currency))
    return babel_numbers.format_currency(value, currency.upper(), locale=babel_locale(locale))
