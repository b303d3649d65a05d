"""What each save offer means for the customer, in dates and money."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask_babel import gettext, ngettext

from returns_service.pages import local_date, money
from returns_service.subscriptions.models import OfferType, SubscriptionCancellation
from returns_service.subscriptions.schedule import add_months


def delivery_price(flow: SubscriptionCancellation) -> int:
    """What one delivery costs: the goods of the subscription's latest order."""
    return sum(line.total for line in flow.order.lines)


def _day(value: date | None) -> str:
    return local_date(value) if value else gettext("your next delivery date")


def pause_choices(flow: SubscriptionCancellation, offer: dict[str, Any]) -> list[tuple[int, str]]:
    """Each pause length offered, with the day deliveries start again."""
    upcoming = flow.next_delivery
    choices = []
    for months in offer.get("months") or []:
        label = ngettext("%(num)d month", "%(num)d months", months)
        if upcoming:
            back = local_date(add_months(upcoming, months))
            label = gettext(
                "%(length)s (deliveries start again on %(date)s)", length=label, date=back
            )
        choices.append((months, label))
    return choices


def explain(flow: SubscriptionCancellation, offer: dict[str, Any]) -> str:
    """One offer in the customer's words: which delivery it changes, and by how much."""
    upcoming = flow.next_delivery
    kind = OfferType(offer["type"])
    currency = flow.order.currency
    if kind is OfferType.SKIP:
        after = upcoming + timedelta(days=flow.interval_days) if upcoming else None
        return gettext(
            "The delivery of %(date)s does not come and is not charged (%(price)s saved). "
            "The next one comes on %(next)s.",
            date=_day(upcoming),
            price=money(delivery_price(flow), currency),
            next=_day(after),
        )
    if kind is OfferType.PAUSE:
        return gettext(
            "No deliveries and no charges for the months you choose, from %(date)s. "
            "Your subscription then carries on as before.",
            date=_day(upcoming),
        )
    if kind is OfferType.SWITCH:
        return gettext(
            "From the delivery of %(date)s you receive the product you choose instead, at "
            "its own price.",
            date=_day(upcoming),
        )
    price = delivery_price(flow)
    cut = price * offer["percent"] // 100
    deliveries = offer.get("deliveries", 1)
    values = {
        "date": _day(upcoming),
        "new": money(price - cut, currency),
        "old": money(price, currency),
        "cut": money(cut, currency),
        "num": deliveries,
    }
    if deliveries == 1:
        return gettext(
            "Your delivery of %(date)s costs %(new)s instead of %(old)s (%(cut)s off).", **values
        )
    return gettext(
        "Your next %(num)d deliveries from %(date)s cost %(new)s each instead of %(old)s "
        "(%(cut)s off each).",
        **values,
    )


def _iso_day(value: str | None) -> str:
    return _day(date.fromisoformat(value) if value else None)


def accepted_in_words(flow: SubscriptionCancellation) -> str:
    """What the accepted offer changed, with its dates, as the result page says it."""
    accepted = flow.accepted_offer or {}
    kind = OfferType(accepted["offer"]["type"])
    choice = accepted.get("choice", {})
    if kind is OfferType.SKIP:
        return gettext(
            "Your delivery of %(date)s is skipped. The next one comes on %(next)s.",
            date=_iso_day(choice.get("skipped_date")),
            next=_iso_day(choice.get("next_date")),
        )
    if kind is OfferType.PAUSE:
        return ngettext(
            "Deliveries are paused for %(num)d month and start again on %(date)s.",
            "Deliveries are paused for %(num)d months and start again on %(date)s.",
            choice.get("months") or 1,
            date=_iso_day(choice.get("resume_date")),
        )
    if kind is OfferType.SWITCH:
        return gettext(
            "From the delivery of %(date)s you receive %(product)s.",
            date=_iso_day(choice.get("next_date")),
            product=(choice.get("product") or {}).get("name", ""),
        )
    deliveries = choice.get("deliveries") or 1
    values = {"date": _iso_day(choice.get("next_date")), "percent": choice.get("percent")}
    if deliveries == 1:
        return gettext("Your delivery of %(date)s is %(percent)s%% off.", **values)
    return gettext(
        "Your next %(num)d deliveries from %(date)s are %(percent)s%% off.",
        num=deliveries,
        **values,
    )
