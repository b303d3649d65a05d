"""Cancellation use cases: the request, and settling it (cancelled and refunded, or refused).

The warehouse's answer, a person's review and stops that time out are in ``review``.

Every function takes the session and ``now``, never commits, records events and outbox
rows, and leaves the transaction to its caller. Every function that settles a
cancellation or looks at what the order still holds needs the caller to hold the order's
row lock: shipment updates take the same lock, so a cancellation and a parcel leaving are
decided one after the other, never both.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from returns_service import outbox
from returns_service.cancellations import notices, states
from returns_service.cancellations.amounts import PartialShipping
from returns_service.cancellations.facts import cancellation_facts
from returns_service.cancellations.models import (
    Cancellation,
    CancellationLine,
    CancellationStatus,
)
from returns_service.cancellations.past import cancelling_past
from returns_service.cancellations.quote import SettledBefore, amounts_for, chosen_lines
from returns_service.cancellations.shopify import CANCEL_PROVIDER
from returns_service.errors import Conflict, NotFound
from returns_service.notifications.formatting import format_date
from returns_service.orders.models import FulfillmentStatus, Order, OrderSource
from returns_service.orders.progress import order_stage
from returns_service.plain_inserts import insert_new_with_children
from returns_service.refunds.models import Refund, RefundMethod
from returns_service.refunds.operations import create_refund, refundable_balance
from returns_service.shop import ShopSettings
from rules import Outcome

#: What a cancellation reads of the order with its lock (customer, lines). Its parcels come
#: in a later statement (with what :func:`cancelling_past` reads, or on first use): that
#: one sees a parcel committed while the lock was waited for, which rows joined to the
#: locking statement would not.
ORDER_LOADING = (joinedload(Order.customer), joinedload(Order.lines))
#: Nothing has been taken off the shelf yet: the order is cancelled at once.
CANCEL_AT_ONCE = (FulfillmentStatus.UNFULFILLED, FulfillmentStatus.ALLOCATED)
#: The warehouse is working on it: it is asked to stop, and its answer settles it.
ASK_WAREHOUSE = (FulfillmentStatus.PICKING, FulfillmentStatus.PACKED)


def reply_by(settings: ShopSettings, filed_at: datetime, locale: str) -> str:
    """The date by which the desk promises to reply, as the customer reads it."""
    due = settings.calendar.add_business_days(filed_at, settings.reply_days)
    return format_date(due, locale, settings.timezone)


def _partial_shipping(settings: ShopSettings) -> PartialShipping:
    return PartialShipping(settings.partial_cancel_shipping)


def return_url(settings: ShopSettings) -> str:
    """Where a customer whose order has shipped starts a return."""
    return settings.public_url


def get_cancellation(session: Session, cancellation_id: int, *, lock: bool = False) -> Cancellation:
    """The cancellation with this id, or NotFound; ``lock`` reads it afresh, locked."""
    cancellation = session.get(
        Cancellation, cancellation_id, with_for_update=lock, populate_existing=lock
    )
    if cancellation is None:
        raise NotFound(f"no cancellation {cancellation_id}")
    return cancellation


def lock_for_settling(session: Session, cancellation_id: int) -> Cancellation:
    """Lock the cancellation's order, then the cancellation, both read afresh.

    The order first, as shipment updates take it: the two then queue on one lock and can
    never wait for each other the other way round.
    """
    order_id = session.scalar(
        select(Cancellation.order_id).where(Cancellation.id == cancellation_id)
    )
    if order_id is None:
        raise NotFound(f"no cancellation {cancellation_id}")
    session.scalar(
        select(Order)
        .where(Order.id == order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return get_cancellation(session, cancellation_id, lock=True)


def _cancellable(
    session: Session,
    settings: ShopSettings,
    order: Order,
    lines: list[dict[str, Any]] | None,
    locale: str,
    taken: Counter[int] | None = None,
) -> list[CancellationLine]:
    """The lines to cancel, or Conflict: the order has shipped, or nothing is left
    (``taken``: the units cancellations hold, when read already)."""
    stage = order_stage(order)
    if stage is FulfillmentStatus.SHIPPED:
        raise Conflict(
            notices.customer_text(
                "shipped", locale, order_number=order.number, return_url=return_url(settings)
            ),
            code="order_shipped",
            return_url=return_url(settings),
            fulfillment_status=stage.value,
        )
    cancellation_lines = chosen_lines(session, order, lines, taken)
    if not cancellation_lines or order.cancelled_at is not None:
        raise Conflict(
            notices.customer_text("nothing_left", locale, order_number=order.number),
            code="nothing_left",
        )
    return cancellation_lines


def preview(
    session: Session,
    settings: ShopSettings,
    order: Order,
    lines: list[dict[str, Any]] | None,
    locale: str,
) -> tuple[list[CancellationLine], int]:
    """The lines a request would cancel and what cancelling them now would refund, capped
    as the refund will be; refused as the request would be. Nothing is written."""
    cancellation_lines = _cancellable(session, settings, order, lines, locale)
    amounts = amounts_for(
        session, order, cancellation_lines, _partial_shipping(settings), excluding=None
    )
    return cancellation_lines, min(amounts.total, refundable_balance(session, order))


def request_cancellation(
    session: Session,
    now: datetime,
    settings: ShopSettings,
    *,
    order: Order,
    lines: list[dict[str, Any]] | None,
    reason: str,
    comment: str,
    actor: str,
    locale: str,
) -> Cancellation:
    """Cancel some lines of an order (``lines``) or all it still holds (``None``).

    The order's progress decides: nothing picked yet cancels and refunds at once; picked
    or packed asks the warehouse to stop; shipped is refused with 409 and the way to a
    return. The cancellation rules may reject the request or send it to a person first.
    The caller must hold the order's row lock.
    """
    past = cancelling_past(session, order, now)
    stage = order_stage(order)
    cancellation_lines = _cancellable(session, settings, order, lines, locale, past.taken)
    version = past.rules
    facts = cancellation_facts(
        order,
        [line.order_line for line in cancellation_lines],
        stage=stage,
        whole_order=lines is None,
        history=past.history,
        now=now,
        timezone=settings.timezone,
    )
    decision = version.rules.decide(facts)
    # Decided first, so the request is inserted with its decision rather than updated.
    cancellation = Cancellation(
        order_id=order.id,
        order=order,
        status=CancellationStatus.REQUESTED,
        reason=reason,
        comment=comment,
        whole_order=lines is None,
        locale=locale,
        created_by=actor,
        created_at=now,
        **settings.promised(now),
        lines=cancellation_lines,
        decision=decision.as_dict() | {"version": version.number, "facts": facts},
    )
    insert_new_with_children(session, cancellation, cancellation_lines, "cancellation_id")
    states.note(
        session,
        cancellation,
        "cancellation.requested",
        now=now,
        actor=actor,
        reason=reason,
        fulfillment_status=stage.value,
        lines=[
            {"line_id": line.order_line_id, "quantity": line.quantity}
            for line in cancellation_lines
        ],
    )
    if decision.outcome is Outcome.REJECT:
        message = (decision.message or {}).get(locale, "")
        reject_with_message(
            session, now, cancellation, actor="rules", message=message, rule=decision.rule
        )
    elif decision.outcome is Outcome.REVIEW:
        states.move(
            session,
            cancellation,
            CancellationStatus.REVIEW,
            now=now,
            actor="rules",
            message=decision.action.review_reason_in("en"),
            rule=decision.rule,
            review_reasons=[decision.action.as_dict().get("review_reason")],
        )
        cancellation.message = notices.review_text(
            locale, days=settings.reply_days, date=reply_by(settings, now, locale)
        )
    else:
        go_ahead(
            session,
            now,
            settings,
            cancellation,
            actor="rules",
            settled_before=past.settled,
            rule=decision.rule,
        )
    return cancellation


def go_ahead(
    session: Session,
    now: datetime,
    settings: ShopSettings,
    cancellation: Cancellation,
    *,
    actor: str,
    settled_before: SettledBefore | None = None,
    **data: Any,
) -> None:
    """The cancellation may go ahead: how is up to the order's progress (``settled_before``:
    see :func:`settle_cancelled`)."""
    stage = order_stage(cancellation.order)
    if stage in CANCEL_AT_ONCE:
        settle_cancelled(
            session, now, settings, cancellation, actor=actor, settled_before=settled_before, **data
        )
    elif stage in ASK_WAREHOUSE:
        states.move(
            session,
            cancellation,
            CancellationStatus.PENDING_STOP,
            now=now,
            actor=actor,
            fulfillment_status=stage.value,
            **data,
        )
        cancellation.stop_requested_at = now
        cancellation.message = notices.customer_text("pending_stop", cancellation.locale)
        notices.stop_requested(session, now, settings, cancellation)
    else:
        refuse(session, now, settings, cancellation, actor=actor, message="the order has shipped")


def settle_cancelled(
    session: Session,
    now: datetime,
    settings: ShopSettings,
    cancellation: Cancellation,
    *,
    actor: str,
    settled_before: SettledBefore | None = None,
    **data: Any,
) -> Refund | None:
    """Take the lines off the order and refund them (and shipping when it is due), after
    what the order's settled cancellations gave back (``settled_before``, when read under
    the same lock already)."""
    order = cancellation.order
    amounts = amounts_for(
        session,
        order,
        cancellation.lines,
        _partial_shipping(settings),
        excluding=cancellation.id,
        before=settled_before,
    )
    cancellation.goods_amount = amounts.goods
    cancellation.shipping_amount = amounts.shipping
    cancellation.closes_order = amounts.closes_order
    cancellation.settled_at = now
    states.move(
        session,
        cancellation,
        CancellationStatus.CANCELLED,
        now=now,
        actor=actor,
        goods=amounts.goods,
        shipping=amounts.shipping,
        currency=order.currency,
        **data,
    )
    if amounts.closes_order:
        order.cancelled_at = now
    refund = create_refund(
        session,
        now,
        order=order,
        amount=amounts.total,
        method=RefundMethod.ORIGINAL_PAYMENT,
        actor=actor,
        cancellation_id=cancellation.id,
    )
    if order.source is OrderSource.SHOPIFY and amounts.closes_order:
        # Shopify cancels whole orders only; the refund goes with the cancel call when
        # Shopify took the payment, else the order is cancelled there on its own.
        if refund is not None and refund.provider == "shopify":
            refund.provider = CANCEL_PROVIDER
        else:
            outbox.record(session, "cancel_shopify_order", now, cancellation_id=cancellation.id)
    cancellation.message = notices.cancelled_text(
        cancellation.locale,
        order.number,
        whole=amounts.closes_order,
        amount=refund.amount if refund else None,
        currency=order.currency,
    )
    notices.cancelled(session, now, settings, cancellation, refund)
    return refund


def refuse(
    session: Session,
    now: datetime,
    settings: ShopSettings,
    cancellation: Cancellation,
    *,
    actor: str,
    message: str,
) -> None:
    """The parcel left before it could be stopped: the customer is offered a return."""
    states.move(
        session, cancellation, CancellationStatus.REFUSED, now=now, actor=actor, message=message
    )
    cancellation.settled_at = now
    cancellation.message = notices.customer_text(
        "shipped",
        cancellation.locale,
        order_number=cancellation.order.number,
        return_url=return_url(settings),
    )
    notices.stop_failed(session, now, cancellation)


def reject_with_message(
    session: Session,
    now: datetime,
    cancellation: Cancellation,
    *,
    actor: str,
    message: str,
    **data: Any,
) -> None:
    states.move(
        session,
        cancellation,
        CancellationStatus.REJECTED,
        now=now,
        actor=actor,
        message=message,
        **data,
    )
    cancellation.settled_at = now
    cancellation.message = message
