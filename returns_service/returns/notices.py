"""What the customer and subscribed systems are told at each step of a return.

One function per step; each queues the customer's e-mail and the outbound webhook in the
caller's transaction, so they go out only if the step commits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from returns_service.notifications.email import email_customer
from returns_service.notifications.links import status_link
from returns_service.notifications.webhooks import queue_webhook
from returns_service.returns.models import Exchange, ReturnMethod, ReturnRequest
from returns_service.returns.presenter import ReplyPromise, replacement_words, slot_words
from returns_service.shop import ShopSettings


def return_summary(request: ReturnRequest) -> dict[str, Any]:
    """The JSON-friendly facts of a return that e-mails and webhooks share."""
    pickup = request.pickup
    return {
        "rma": request.rma,
        "order_number": request.order.number,
        "order_external_id": request.order.external_id,
        "status": request.status.value,
        "resolution": request.resolution.value,
        "method": request.method.value,
        "expires_at": request.expires_at.isoformat() if request.expires_at else None,
        "lines": [
            {
                "title": line.order_line.title,
                "sku": line.order_line.sku,
                "quantity": line.quantity,
                "reason": line.reason,
                "outcome": line.outcome.value if line.outcome else None,
            }
            for line in request.lines
        ],
        "pickup": (
            {
                "date": pickup.pickup_date.isoformat() if pickup.pickup_date else None,
                "slot": pickup.slot,
                "address": pickup.address,
                "confirmation_number": pickup.confirmation_number,
            }
            if pickup
            else None
        ),
    }


_ANY_TIME = {"ja": "指定なし", "en": "any time"}


def format_address(address: dict[str, Any] | None, locale: str) -> str:
    """A postal address as lines of text, in the order each country writes it."""
    a = address or {}
    if locale == "ja" or a.get("country") == "JP":
        lines = [
            f"〒{a.get('postal_code', '')}".rstrip("〒"),
            " ".join(
                filter(
                    None, (a.get("province"), a.get("city"), a.get("address1"), a.get("address2"))
                )
            ),
            a.get("name") or "",
            f"TEL {a['phone']}" if a.get("phone") else "",
        ]
    else:
        lines = [
            a.get("name") or "",
            " ".join(filter(None, (a.get("address1"), a.get("address2")))),
            " ".join(filter(None, (a.get("city"), a.get("province"), a.get("postal_code")))),
            a.get("country") or "",
            f"Tel. {a['phone']}" if a.get("phone") else "",
        ]
    return "\n".join(line for line in lines if line)


def _items(request: ReturnRequest) -> list[dict[str, Any]]:
    return [{"name": line.order_line.title, "quantity": line.quantity} for line in request.lines]


def _email(
    session: Session, now: datetime, request: ReturnRequest, kind: str, **context: Any
) -> None:
    email_customer(
        session,
        now,
        request.order,
        kind=kind,
        locale=request.locale,
        context={
            "rma": request.rma,
            "order_number": request.order.number,
            "status_link": status_link(request.order_id, request.rma),
            **context,
        },
        subject_type="return",
        subject_id=request.id,
    )


def return_received(
    session: Session,
    now: datetime,
    settings: ShopSettings,
    request: ReturnRequest,
    *,
    in_review: bool = False,
) -> None:
    """The request was filed; one left to a person says by when the desk will reply."""
    context: dict[str, Any] = {"items": _items(request)}
    if in_review:
        promise = ReplyPromise.for_request(request.created_at or now, settings)
        context |= {"reply_days": promise.business_days, "reply_by": promise.due}
    _email(session, now, request, "return_received", **context)
    queue_webhook(session, now, "return.created", return_summary(request))


def return_approved(
    session: Session, now: datetime, settings: ShopSettings, request: ReturnRequest
) -> None:
    """The request was approved: the e-mail says what to do next."""
    context: dict[str, Any] = {
        "method": request.method.value,
        "items": _items(request),
        "deadline": request.expires_at,
    }
    if request.method is ReturnMethod.PICKUP and request.pickup is not None:
        pickup = request.pickup
        context |= {
            "pickup_date": pickup.pickup_date,
            "pickup_slot": (
                slot_words(pickup.slot, request.locale)
                if pickup.slot
                else _ANY_TIME[request.locale]
            ),
            "pickup_address": format_address(pickup.address, request.locale),
        }
    elif request.method is ReturnMethod.DROPOFF:
        country = request.order.shipping_address.get("country")
        address = settings.return_address(country)
        context["return_address"] = format_address(address, request.locale)
        context["slip"] = True
    _email(session, now, request, "return_approved", **context)
    queue_webhook(session, now, "return.approved", return_summary(request))


def return_rejected(session: Session, now: datetime, request: ReturnRequest, message: str) -> None:
    """The request was rejected, with the reason in the customer's language."""
    _email(session, now, request, "return_rejected", message=message)
    queue_webhook(session, now, "return.rejected", return_summary(request) | {"message": message})


def return_cancelled(session: Session, now: datetime, request: ReturnRequest) -> None:
    """The request was withdrawn."""
    _email(session, now, request, "return_cancelled")


def return_in_transit(session: Session, now: datetime, request: ReturnRequest) -> None:
    """The carrier has the parcel."""
    _email(
        session,
        now,
        request,
        "return_in_transit",
        carrier=request.carrier,
        tracking_number=request.tracking_number,
    )


def return_received_at_warehouse(session: Session, now: datetime, request: ReturnRequest) -> None:
    """The warehouse received the parcel."""
    _email(session, now, request, "return_received_at_warehouse")
    queue_webhook(session, now, "return.received", return_summary(request))


def _replacement_name(session: Session, exchange: Exchange) -> str:
    returned = next(line for line in exchange.request.lines if line.id == exchange.return_line_id)
    chosen = replacement_words(session, exchange.sku) or exchange.sku
    return f"{returned.order_line.title} ({chosen})"


def exchange_shipped(session: Session, now: datetime, exchange: Exchange) -> None:
    """The replacement of an exchange is on its way."""
    request = exchange.request
    _email(
        session,
        now,
        request,
        "exchange_shipped",
        items=[{"name": _replacement_name(session, exchange), "quantity": exchange.quantity}],
        carrier=exchange.carrier,
        tracking_number=exchange.tracking_number,
    )


def return_expired(session: Session, now: datetime, request: ReturnRequest) -> None:
    """The parcel was not sent in time."""
    _email(session, now, request, "return_expired", deadline=request.expires_at)
