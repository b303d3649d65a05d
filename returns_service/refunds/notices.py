"""What the customer and subscribed systems are told when money goes back to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from returns_service.notifications.email import email_customer
from returns_service.notifications.links import status_link
from returns_service.notifications.webhooks import queue_webhook
from returns_service.refunds.models import Refund, RefundMethod


def refund_issued(session: Session, now: datetime, refund: Refund) -> None:
    """Money went back to the customer (or onto their store credit)."""
    order = refund.order
    data = {
        "refund_id": refund.id,
        "order_number": order.number,
        "order_external_id": order.external_id,
        "amount": refund.amount,
        "currency": refund.currency,
        "method": refund.method.value,
        "store_credit_code": (
            refund.provider_reference if refund.method is RefundMethod.STORE_CREDIT else None
        ),
    }
    queue_webhook(session, now, "refund.issued", data)
    subject_type, subject_id = refund.subject
    return_request = refund.return_request
    # A return's refund links to its status page; an order cancellation's has none.
    link = status_link(order.id, return_request.rma) if return_request else None
    email_customer(
        session,
        now,
        order,
        kind="refund_issued",
        locale=order.customer.locale if order.customer else "ja",
        context={
            "order_number": order.number,
            "rma": return_request.rma if return_request else None,
            "refund": {"amount": refund.amount, "currency": refund.currency},
            "method": refund.method.value,
            "store_credit_code": data["store_credit_code"],
            **({"status_link": link} if link else {}),
        },
        subject_type=subject_type,
        subject_id=subject_id,
    )
