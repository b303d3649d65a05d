"""Cancelling a Shopify order at Shopify, with its refund, through the Admin REST API.

``POST /admin/api/2024-04/orders/<id>/cancel.json`` with a ``refund`` cancels the order and
refunds in the same call. Shopify takes no idempotency key there; as for plain refunds
(``refunds.shopify``) ours goes into the refund's note. Every attempt first reads the
order: one already cancelled is not cancelled again. Its refund carrying our key is ours
(an earlier attempt whose answer was lost); with none, the order was cancelled at Shopify
by someone else, and the money goes back as a plain refund.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from returns_service.refunds.models import RefundStatus
from returns_service.refunds.providers import (
    ProviderUnavailable,
    RefundCall,
    RefundOutcome,
)
from returns_service.refunds.shopify import (
    ShopifyProvider,
    ShopifyRefused,
    calculation_request,
    carries_key,
    note_for,
    refund_outcome,
    refund_transactions,
)

#: The refund provider of a Shopify order's last cancellation: refunded by the cancel call.
CANCEL_PROVIDER = "shopify_order_cancel"
#: Shopify's cancel reason for a customer's own request.
CANCEL_REASON = "customer"


class ShopifyOrderCanceller(ShopifyProvider):
    """Cancels Shopify orders; as a refund provider, refunds by cancelling the order."""

    name = CANCEL_PROVIDER

    def order(self, order_id: str) -> dict[str, Any]:
        """The order as Shopify has it now."""
        return self._send("GET", f"/orders/{order_id}.json").get("order") or {}

    def cancel(self, order_id: str, refund: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Cancel the order, with ``refund`` when given; the answer is the cancelled order.

        Shopify does not e-mail the customer: the service sends its own e-mail.
        """
        body: dict[str, Any] = {"reason": CANCEL_REASON, "email": False}
        if refund is not None:
            body["refund"] = dict(refund)
        return self._send("POST", f"/orders/{order_id}/cancel.json", json=body).get("order") or {}

    def refund(self, call: RefundCall) -> RefundOutcome:
        """Cancel the order with a refund of ``call.amount``, once per attempt key."""
        order_id = call.order_external_id
        try:
            if self.order(order_id).get("cancelled_at"):
                # Found by its key if an earlier attempt made it; else refunded plainly.
                return super().refund(call)
            calculated = self._send(
                "POST",
                f"/orders/{order_id}/refunds/calculate.json",
                json=calculation_request(call.currency),
            )
            cancelled = self.cancel(
                order_id,
                {
                    "note": note_for(call.idempotency_key),
                    "currency": call.currency,
                    "transactions": refund_transactions(
                        calculated.get("refund") or {}, call.amount, call.currency
                    ),
                },
            )
        except ShopifyRefused as exc:
            return RefundOutcome(RefundStatus.FAILED, failure_reason=str(exc))
        refunds = cancelled.get("refunds") or []
        ours = next((r for r in refunds if carries_key(r, call.idempotency_key)), None)
        if ours is None:
            # The next attempt finds the order cancelled, and the refund by its key.
            raise ProviderUnavailable("Shopify cancelled the order but showed no refund of ours")
        return refund_outcome(ours)


def canceller_provider(
    session: Session, now: datetime, config: Mapping[str, Any]
) -> ShopifyOrderCanceller:
    """The provider factory for refunds that go with the cancellation of a Shopify order."""
    return ShopifyOrderCanceller.from_config(config)
