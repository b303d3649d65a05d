"""Subscription cancellation use cases: start with a reason, accept an offer, or confirm.

Every outcome is recorded on the flow and its timeline, sent to the subscription system
(an outbound webhook ``subscription.<skipped|paused|switched|discounted|cancelled>``) and
e-mailed to the customer, in the caller's transaction. Functions never commit.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from returns_service.errors import Conflict, InvalidInput, NotFound
from returns_service.events import note_on
from returns_service.notifications.email import email_customer
from returns_service.notifications.webhooks import queue_webhook
from returns_service.orders.models import Order
from returns_service.shop import ShopSettings
from returns_service.subscriptions import schedule
from returns_service.subscriptions.models import (
    CancelReason,
    FlowStatus,
    OfferType,
    SubscriptionCancellation,
)
from returns_service.subscriptions.offers import offers_for

SUBJECT = "subscription"
_note = functools.partial(note_on, subject_type=SUBJECT)
#: What accepting each type of offer did, in the past tense of events, e-mails and webhooks.
DONE = {
    OfferType.SKIP: "skipped",
    OfferType.PAUSE: "paused",
    OfferType.SWITCH: "switched",
    OfferType.DISCOUNT: "discounted",
}


def subscription_orders(session: Session, reference: str) -> list[Order]:
    """The orders of a subscription, oldest first."""
    query = (
        select(Order)
        .where(Order.is_subscription.is_(True), Order.subscription_reference == reference)
        .order_by(Order.placed_at, Order.id)
    )
    return list(session.scalars(query))


def latest_order(session: Session, reference: str, *, lock: bool = False) -> Order:
    """The subscription's newest order, or NotFound for a reference no order carries."""
    query = (
        select(Order)
        .where(Order.is_subscription.is_(True), Order.subscription_reference == reference)
        .order_by(Order.placed_at.desc(), Order.id.desc())
        .limit(1)
    )
    if lock:
        query = query.with_for_update()
    order = session.scalar(query)
    if order is None:
        raise NotFound(f"no subscription {reference!r}")
    return order


def current_flow(
    session: Session, reference: str, *, lock: bool = False
) -> SubscriptionCancellation:
    """The subscription's newest cancellation flow, or NotFound."""
    query = (
        select(SubscriptionCancellation)
        .where(SubscriptionCancellation.subscription_reference == reference)
        .order_by(SubscriptionCancellation.id.desc())
        .limit(1)
    )
    if lock:
        query = query.with_for_update()
    flow = session.scalar(query)
    if flow is None:
        raise NotFound(f"subscription {reference!r} has no cancellation under way")
    return flow


def subscription_name(order: Order) -> str:
    """What the customer subscribed to: the titles of its order's lines."""
    return " / ".join(line.title for line in order.lines)


def start(
    session: Session,
    now: datetime,
    settings: ShopSettings,
    *,
    order: Order,
    reason: CancelReason,
    comment: str,
    next_delivery: date | None,
    actor: str,
    locale: str,
) -> SubscriptionCancellation:
    """Start a cancellation flow and choose its offers by the reason given.

    A flow still open for the subscription is superseded: the customer went back and gave
    another reason. The caller must hold the lock of the subscription's latest order.
    """
    reference = order.subscription_reference or ""
    open_flows = session.scalars(
        select(SubscriptionCancellation)
        .where(
            SubscriptionCancellation.subscription_reference == reference,
            SubscriptionCancellation.status == FlowStatus.OFFERED,
        )
        .with_for_update()
    )
    for previous in open_flows:
        previous.status = FlowStatus.SUPERSEDED
        previous.closed_at = now
        _note(session, previous, "subscription.cancellation_superseded", now=now, actor=actor)
    placed = [o.placed_at for o in subscription_orders(session, reference)]
    interval = schedule.interval_days(placed, settings.subscription_interval_days)
    offers, _ = offers_for(session, reason)
    flow = SubscriptionCancellation(
        subscription_reference=reference,
        order=order,
        reason=reason,
        comment=comment,
        status=FlowStatus.OFFERED,
        offers=offers,
        next_delivery=next_delivery
        or schedule.next_delivery(placed, interval, now, settings.timezone),
        interval_days=interval,
        locale=locale,
        created_by=actor,
        created_at=now,
        **settings.promised(now),
    )
    session.add(flow)
    session.flush()
    _note(
        session,
        flow,
        "subscription.cancellation_started",
        now=now,
        actor=actor,
        reason=reason.value,
        offers=[offer["id"] for offer in offers],
    )
    return flow


def _open(flow: SubscriptionCancellation) -> None:
    if flow.status is not FlowStatus.OFFERED:
        raise Conflict(
            f"the cancellation of subscription {flow.subscription_reference} is "
            f"{flow.status.value}; start again to change it",
            code="flow_closed",
            current_status=flow.status.value,
        )


def _chosen_product(offer: dict[str, Any], product: dict[str, str] | None) -> dict[str, str]:
    if not product or not product.get("sku"):
        raise InvalidInput(
            "a switch needs the product to switch to", field="product.sku", code="switch_product"
        )
    listed = {p["sku"]: p for p in offer.get("products") or []}
    if listed and product["sku"] not in listed:
        raise InvalidInput(
            f"{product['sku']!r} is not among the offered products: {', '.join(listed)}",
            field="product.sku",
            code="switch_product",
        )
    chosen = listed.get(product["sku"]) or product
    return {"sku": chosen["sku"], "name": chosen.get("name") or chosen["sku"]}


def accept(
    session: Session,
    now: datetime,
    flow: SubscriptionCancellation,
    *,
    offer_id: str,
    months: int | None = None,
    product: dict[str, str] | None = None,
    actor: str,
) -> None:
    """The customer takes one of the offers shown: the subscription goes on, changed.

    The caller must hold the flow's row lock.
    """
    _open(flow)
    offer = next((o for o in flow.offers if o["id"] == offer_id), None)
    if offer is None:
        shown = ", ".join(o["id"] for o in flow.offers) or "none"
        raise InvalidInput(
            f"no offer {offer_id!r} was shown (shown: {shown})",
            field="offer_id",
            code="no_such_offer",
        )
    kind = OfferType(offer["type"])
    upcoming = flow.next_delivery
    interval = timedelta(days=flow.interval_days)
    choice: dict[str, Any] = {}
    email: dict[str, Any] = {}
    if kind is OfferType.SKIP:
        choice = {"skipped_date": upcoming, "next_date": upcoming + interval if upcoming else None}
        email = {"skipped_date": upcoming, "next_date": choice["next_date"]}
    elif kind is OfferType.PAUSE:
        if months not in offer["months"]:
            lengths = ", ".join(str(m) for m in offer["months"])
            raise InvalidInput(
                f"choose a pause of {lengths} months", field="months", code="pause_length"
            )
        resume = schedule.add_months(upcoming, months) if upcoming else None
        choice = {"months": months, "resume_date": resume}
        email = {"resume_date": resume}
    elif kind is OfferType.SWITCH:
        chosen = _chosen_product(offer, product)
        choice = {"product": chosen, "next_date": upcoming}
        email = {"new_product": chosen["name"], "next_date": upcoming}
    else:
        choice = {"percent": offer["percent"], "deliveries": offer["deliveries"]}
        choice["next_date"] = upcoming
        email = {
            "discount_percent": offer["percent"],
            "discount_deliveries": offer["deliveries"],
            "next_date": upcoming,
        }
    done = DONE[kind]
    flow.accepted_offer = _jsonable({"offer": offer, "choice": choice})
    _close(session, now, flow, FlowStatus.SAVED, action=done, actor=actor, **choice)
    _email(session, now, flow, f"subscription_{done}", **email)


def confirm(session: Session, now: datetime, flow: SubscriptionCancellation, *, actor: str) -> None:
    """The customer turns the offers down: the subscription ends. Needs the flow's lock."""
    _open(flow)
    _close(session, now, flow, FlowStatus.CANCELLED, action="cancelled", actor=actor)
    _email(session, now, flow, "subscription_cancelled")


def _close(
    session: Session,
    now: datetime,
    flow: SubscriptionCancellation,
    status: FlowStatus,
    *,
    action: str,
    actor: str,
    **details: Any,
) -> None:
    flow.status = status
    flow.closed_at = now
    flow.outcome = _jsonable({"action": action, **details})
    _note(session, flow, f"subscription.{action}", now=now, actor=actor, **flow.outcome)
    order = flow.order
    customer = order.customer
    queue_webhook(
        session,
        now,
        f"subscription.{action}",
        {
            "flow_id": flow.id,
            "subscription_reference": flow.subscription_reference,
            "order_external_id": order.external_id,
            "customer_email": customer.email if customer else None,
            "reason": flow.reason.value,
            "comment": flow.comment,
            "offer_id": (flow.accepted_offer or {}).get("offer", {}).get("id"),
            **flow.outcome,
        },
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value.isoformat() if isinstance(value, date) else value


def _email(
    session: Session, now: datetime, flow: SubscriptionCancellation, kind: str, **context: Any
) -> None:
    email_customer(
        session,
        now,
        flow.order,
        kind=kind,
        locale=flow.locale,
        context={"subscription_name": subscription_name(flow.order), **context},
        subject_type=SUBJECT,
        subject_id=flow.id,
    )


def save_rates(
    session: Session, since: datetime | None, until: datetime | None
) -> list[dict[str, Any]]:
    """Per reason: flows started, saved by an offer, cancelled, still open, and the save rate.

    A flow superseded by one with another reason is counted apart, not as started: the
    customer did not finish it. The rate is saved / started (None with none started).
    """
    query = select(
        SubscriptionCancellation.reason, SubscriptionCancellation.status, func.count()
    ).group_by(SubscriptionCancellation.reason, SubscriptionCancellation.status)
    if since is not None:
        query = query.where(SubscriptionCancellation.created_at >= since)
    if until is not None:
        query = query.where(SubscriptionCancellation.created_at < until)
    counts = {(reason, status): n for reason, status, n in session.execute(query)}
    rows = []
    for reason in CancelReason:
        by_status = {status: counts.get((reason, status), 0) for status in FlowStatus}
        started = sum(n for s, n in by_status.items() if s is not FlowStatus.SUPERSEDED)
        saved = by_status[FlowStatus.SAVED]
        rows.append(
            {
                "reason": reason.value,
                "started": started,
                "saved": saved,
                "cancelled": by_status[FlowStatus.CANCELLED],
                "open": by_status[FlowStatus.OFFERED],
                "superseded": by_status[FlowStatus.SUPERSEDED],
                "save_rate": round(saved / started, 4) if started else None,
            }
        )
    return rows


def save_rate_report(
    session: Session, since: datetime | None, until: datetime | None
) -> dict[str, Any]:
    """The save rates per reason (see :func:`save_rates`) with their total over all reasons."""
    rows = save_rates(session, since, until)
    total: dict[str, Any] = {
        key: sum(row[key] for row in rows)
        for key in ("started", "saved", "cancelled", "open", "superseded")
    }
    total["reason"] = "all"
    total["save_rate"] = round(total["saved"] / total["started"], 4) if total["started"] else None
    return {"since": since, "until": until, "reasons": rows, "total": total}
