"""What the customer, the warehouse and other subscribed systems are told about a cancellation.

E-mails go to the customer in the language of the request; webhooks go, signed, to every
endpoint subscribed to the event. The warehouse system is such an endpoint: it subscribes
to ``order.stop_requested`` (stop a picked or packed order, then answer) and
``order.cancelled`` (drop the lines and release their stock). The texts kept on the
cancellation for its pages and the API come from the catalogues, in its own language.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import force_locale, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from returns_service import warehouse
from returns_service.cancellations.models import Cancellation
from returns_service.money import format_money
from returns_service.notifications.email import email_customer
from returns_service.notifications.webhooks import queue_webhook
from returns_service.refunds.models import Refund
from returns_service.shop import ShopSettings


def items(cancellation: Cancellation) -> list[dict[str, Any]]:
    """The lines as e-mails list them."""
    return [
        {"name": line.order_line.title, "quantity": line.quantity} for line in cancellation.lines
    ]


def summary(cancellation: Cancellation) -> dict[str, Any]:
    """The JSON-friendly facts of a cancellation that webhooks carry."""
    order = cancellation.order
    return {
        "cancellation_id": cancellation.id,
        "status": cancellation.status.value,
        "order_number": order.number,
        "order_external_id": order.external_id,
        "whole_order": cancellation.whole_order,
        "reason": cancellation.reason,
        "lines": [
            {
                "line_id": line.order_line.external_id,
                "sku": line.order_line.sku,
                "title": line.order_line.title,
                "quantity": line.quantity,
            }
            for line in cancellation.lines
        ],
    }


def _email(
    session: Session, now: datetime, cancellation: Cancellation, kind: str, **context: Any
) -> None:
    email_customer(
        session,
        now,
        cancellation.order,
        kind=kind,
        locale=cancellation.locale,
        context={
            "order_number": cancellation.order.number,
            "items": items(cancellation),
            **context,
        },
        subject_type="cancellation",
        subject_id=cancellation.id,
    )


def stop_requested(
    session: Session, now: datetime, settings: ShopSettings, cancellation: Cancellation
) -> None:
    """The warehouse is asked to stop a picked or packed order and to answer where."""
    answer_url = f"{settings.public_url}/api/v1/cancellations/{cancellation.id}/warehouse-result"
    warehouse.request_stop(
        session,
        now,
        cancellation.id,
        summary(cancellation) | {"answer_url": answer_url},
        settings.config,
    )
    _email(session, now, cancellation, "cancellation_pending_stop")


def cancelled(
    session: Session,
    now: datetime,
    settings: ShopSettings,
    cancellation: Cancellation,
    refund: Refund | None,
) -> None:
    """The lines are off the order: the warehouse drops them and releases their stock."""
    money = {"amount": refund.amount, "currency": refund.currency} if refund else None
    warehouse.order_cancelled(
        session,
        now,
        cancellation.id,
        summary(cancellation) | {"closes_order": cancellation.closes_order, "refund": money},
        settings.config,
    )
    _email(session, now, cancellation, "order_cancelled", refund=money)


def stop_failed(session: Session, now: datetime, cancellation: Cancellation) -> None:
    """The parcel left before it could be stopped: the customer may return it instead."""
    queue_webhook(session, now, "cancellation.refused", summary(cancellation))
    _email(session, now, cancellation, "cancellation_stop_failed")


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


def customer_text(key: str, locale: str, **values: str) -> str:
    """One text stored on the cancellation, in the customer's language (``locale``: the
    cancellation's, not the request's that settles it), its placeholders filled."""
    with force_locale(locale):
        return str(_TEXTS[key]) % values


def cancelled_text(
    locale: str, order_number: str, *, whole: bool, amount: int | None, currency: str
) -> str:
    """The lines are cancelled, and what will be refunded."""
    said = customer_text(
        "cancelled" if whole else "cancelled_lines", locale, order_number=order_number
    )
    if amount:
        gap = "" if locale == "ja" else " "
        said += gap + customer_text("refund", locale, amount=format_money(amount, currency))
    return said


def review_text(locale: str, *, days: int, date: str) -> str:
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
