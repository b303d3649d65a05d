"""Jobs of cancellations: cancelling a Shopify order at Shopify when no refund goes with it.

The warehouse's stop and cancel messages and the customer's e-mails are the webhook and
e-mail jobs; refunds are the refund jobs (a Shopify order's last cancellation is refunded
by the ``shopify_order_cancel`` provider, which cancels the order at Shopify too).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from returns_service.cancellations import states
from returns_service.cancellations.models import Cancellation, CancellationStatus
from returns_service.cancellations.review import escalate_overdue_stops
from returns_service.cancellations.shopify import ShopifyOrderCanceller
from returns_service.errors import PermanentJobError
from returns_service.refunds.shopify import ShopifyRefused
from returns_service.shop import ShopSettings


def cancel_shopify_order(
    session: Session, now: datetime, settings: ShopSettings, cancellation_id: int
) -> None:
    """Cancel the order at Shopify, once: an order Shopify shows as cancelled is left be."""
    cancellation = session.get(Cancellation, cancellation_id)
    if cancellation is None or cancellation.status is not CancellationStatus.CANCELLED:
        return
    order = cancellation.order
    shopify = ShopifyOrderCanceller.from_config(settings.config)
    try:
        if shopify.order(order.external_id).get("cancelled_at"):
            return
        shopify.cancel(order.external_id)
    except ShopifyRefused as exc:
        raise PermanentJobError(str(exc)) from exc
    states.note(session, cancellation, "shopify.order_cancelled", now=now, actor="system")


def escalate_unanswered_stops(session: Session, now: datetime, settings: ShopSettings) -> None:
    """Periodically: send stops the warehouse has not answered in time to a person."""
    escalate_overdue_stops(session, now, settings.stop_timeout)
