"""What the customer, the warehouse and other subscribed systems are told about a cancellation.

E-mails go to the customer in the language of the request; webhooks go, signed, to every
endpoint subscribed to the event. The warehouse system is such an endpoint: it subscribes
to ``order.stop_requested`` (stop a picked or packed order, then answer) and
``order.cancelled`` (drop the lines and release their stock).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from returns_service import warehouse
from returns_service.cancellations.models import Cancellation
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
