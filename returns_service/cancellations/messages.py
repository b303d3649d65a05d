"""What the customer reads about a cancellation, from the gettext catalogues.

The texts are written in the cancellation's language (``locale``), which need not be the
language of the request that settles it: a warehouse's answer or a job writes them too.
"""

from __future__ import annotations

from flask_babel import force_locale, ngettext
from flask_babel import lazy_gettext as _l

from returns_service.money import format_money

_TEXTS = {
    "cancelled": _l("Your order %(order_number)s has been cancelled."),
    "cancelled_lines": _l(
        "The items you chose have been cancelled from your order %(order_number)s."
    ),
    "refund": _l("We will refund %(amount)s to your original payment method."),
    "pending_stop": _l(
        "Your order is already being prepared for shipping, so we have asked the warehouse to "
        "stop it. We will e-mail you as soon as we know whether it could be stopped."
    ),
    "shipped": _l(
        "Your order %(order_number)s has already shipped and can no longer be cancelled. Once "
        "it has arrived, you can return it here: %(return_url)s"
    ),
    "nothing_left": _l("Nothing is left to cancel on your order %(order_number)s."),
}


def text(key: str, locale: str, **values: str) -> str:
    """One message in the customer's language, its placeholders filled."""
    with force_locale(locale):
        return str(_TEXTS[key]) % values


def cancelled(
    locale: str, order_number: str, *, whole: bool, amount: int | None, currency: str
) -> str:
    """The lines are cancelled, and what will be refunded."""
    said = text("cancelled" if whole else "cancelled_lines", locale, order_number=order_number)
    if amount:
        gap = "" if locale == "ja" else " "
        said += gap + text("refund", locale, amount=format_money(amount, currency))
    return said


def review(locale: str, *, days: int, date: str) -> str:
    """A person will decide, and the day the desk promises to reply by."""
    with force_locale(locale):
        return ngettext(
            "A member of our team will look at your request to cancel and reply within "
            "%(num)d business day (by %(date)s).",
            "A member of our team will look at your request to cancel and reply within "
            "%(num)d business days (by %(date)s).",
            days,
            date=date,
        )
