"""The customer's subscription cancellation pages: the reason, the offers it brings, the end.

Each step is one of the operations the API calls, in one transaction: ``start`` chooses the
offers by the reason, then ``accept`` keeps the subscription changed, or ``confirm`` ends it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, redirect, url_for
from flask.typing import ResponseReturnValue

from returns_service.errors import DomainError, InvalidInput, NotFound
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.orders.models import Order
from returns_service.pages import language, protect_forms
from returns_service.portal.cancel_session import customer_order, render
from returns_service.portal.errors import domain_message
from returns_service.portal.subscription_forms import AcceptForm, StartForm
from returns_service.portal.subscription_offers import accepted_in_words, explain, pause_choices
from returns_service.shop import shop_settings
from returns_service.subscriptions import operations
from returns_service.subscriptions.models import CancelReason, FlowStatus, SubscriptionCancellation
from returns_service.subscriptions.presenter import present

bp = Blueprint("portal_subscription", __name__, url_prefix="/subscription")
protect_forms(bp)


def _subscription() -> tuple[Order, str]:
    """The customer's subscription order and its reference (404 for another order)."""
    _, order = customer_order()
    if not order.is_subscription or not order.subscription_reference:
        raise NotFound(f"order {order.number} is no subscription", code="no_subscription")
    return order, order.subscription_reference


def _to(endpoint: str) -> ResponseReturnValue:
    return redirect(url_for(f"portal_subscription.{endpoint}"))


@bp.get("/cancel")
def start_page() -> ResponseReturnValue:
    """Why the customer wants to stop."""
    order, _ = _subscription()
    return render("portal/subscription_cancel.html", order=order, form=StartForm())


@bp.post("/cancel")
def start() -> ResponseReturnValue:
    """Start the cancellation: the reason chooses the offers shown next."""
    order, reference = _subscription()
    form = StartForm()
    if not form.validate():
        return render("portal/subscription_cancel.html", 422, order=order, form=form)
    operations.start(
        db.session,
        utcnow(),
        shop_settings(current_app),
        order=operations.latest_order(db.session, reference, lock=True),
        reason=CancelReason(form.reason.data),
        comment=form.comment.data or "",
        next_delivery=None,
        actor="customer",
        locale=language(),
    )
    db.session.commit()
    return _to("offers")


def _offers_page(
    flow: SubscriptionCancellation, status: int = 200, refused: dict[str, Any] | None = None
) -> ResponseReturnValue:
    view = present(db.session, flow, language())
    offers = [
        offer | {"explanation": explain(flow, offer), "pause_choices": pause_choices(flow, offer)}
        for offer in view.offers
    ]
    return render(
        "portal/subscription_offers.html",
        status,
        view=view,
        offers=offers,
        refused=refused or {},
    )


@bp.get("/cancel/offers")
def offers() -> ResponseReturnValue:
    """The offers for the reason given, each in dates and money, and the confirm button."""
    _, reference = _subscription()
    flow = operations.current_flow(db.session, reference)
    if flow.status is not FlowStatus.OFFERED:
        return _to("result")
    return _offers_page(flow)


def _refused(reference: str, error: DomainError, offer_id: str = "") -> ResponseReturnValue:
    db.session.rollback()
    if error.code == "flow_closed":
        return _to("result")
    flow = operations.current_flow(db.session, reference)
    refused = {"offer_id": offer_id, "field": error.field, "message": domain_message(error)}
    return _offers_page(flow, error.status.value, refused)


@bp.post("/cancel/accept")
def accept_offer() -> ResponseReturnValue:
    """Take one offer: the subscription goes on, changed."""
    _, reference = _subscription()
    form = AcceptForm()
    flow = operations.current_flow(db.session, reference, lock=True)
    try:
        if not form.validate():
            raise InvalidInput("choose one of the offers shown", code="no_such_offer")
        product = (form.product.data or "").strip()
        operations.accept(
            db.session,
            utcnow(),
            flow,
            offer_id=form.offer_id.data,
            months=form.months.data,
            product={"sku": product} if product else None,
            actor="customer",
        )
    except DomainError as error:
        return _refused(reference, error, form.offer_id.data or "")
    db.session.commit()
    return _to("result")


@bp.post("/cancel/confirm")
def confirm() -> ResponseReturnValue:
    """Turn the offers down: the subscription ends."""
    _, reference = _subscription()
    flow = operations.current_flow(db.session, reference, lock=True)
    try:
        operations.confirm(db.session, utcnow(), flow, actor="customer")
    except DomainError as error:
        return _refused(reference, error)
    db.session.commit()
    return _to("result")


@bp.get("/cancellation")
def result() -> ResponseReturnValue:
    """How the cancellation ended: the subscription goes on changed, or it has ended."""
    _, reference = _subscription()
    flow = operations.current_flow(db.session, reference)
    if flow.status is FlowStatus.OFFERED:
        return _to("offers")
    saved = flow.status is FlowStatus.SAVED
    return render(
        "portal/subscription_result.html",
        view=present(db.session, flow, language()),
        change=accepted_in_words(flow) if saved else "",
    )
