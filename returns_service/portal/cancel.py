"""The customer's cancellation pages: choose, see the refund, confirm, follow it.

Each step calls the operations the API calls: ``preview`` for the amount before
confirming, ``request_cancellation`` (one transaction) to file it. A form sent twice files
one cancellation (its submission id is an idempotency key).
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, current_app, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from returns_service import idempotency
from returns_service.auth.tokens import Principal
from returns_service.cancellations import operations
from returns_service.cancellations.models import Cancellation
from returns_service.cancellations.presenter import present
from returns_service.cancellations.quote import units_left
from returns_service.errors import DomainError, NotFound
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.orders.access import locked_order_for
from returns_service.orders.models import FulfillmentStatus, Order
from returns_service.orders.progress import order_stage
from returns_service.pages import language, protect_forms
from returns_service.portal.cancel_forms import CANCEL_REASON_LABELS, CancelForm, cancel_form
from returns_service.portal.cancel_session import customer_order, render
from returns_service.portal.errors import domain_message
from returns_service.shop import ShopSettings, shop_settings

bp = Blueprint("portal_cancel", __name__)
protect_forms(bp)

#: Where the refund stands, in the customer's words.
REFUND_STATES = {
    "pending": _l("Being prepared"),
    "processing": _l("Sent to your payment provider"),
    "succeeded": _l("Refunded"),
    "failed": _l("Delayed: our team is looking into it"),
}


def _settings() -> ShopSettings:
    return shop_settings(current_app)


def can_cancel(session: Session, order: Order) -> bool:
    """The order has not left the warehouse and holds units no cancellation has taken."""
    if order.cancelled_at is not None or order_stage(order) is FulfillmentStatus.SHIPPED:
        return False
    return any(units > 0 for units in units_left(session, order).values())


@bp.app_context_processor
def _cancel_links() -> dict[str, Any]:
    """Lets the order page offer the cancellation while the order can be cancelled."""
    return {"can_cancel": lambda order: can_cancel(db.session, order)}


def _form(order: Order) -> CancelForm:
    return cancel_form(order, units_left(db.session, order))


def _form_page(
    order: Order, form: CancelForm, status: int = 200, error: str = ""
) -> ResponseReturnValue:
    left = units_left(db.session, order)
    return render("portal/cancel.html", status, order=order, form=form, left=left, error=error)


def _refused(order: Order, error: DomainError) -> ResponseReturnValue:
    """The order has left the warehouse: the way on is a return."""
    return render("portal/cancel_refused.html", 409, order=order, text=domain_message(error))


def _not_taken(order: Order, form: CancelForm, error: DomainError) -> ResponseReturnValue:
    if error.code == "order_shipped":
        return _refused(order, error)
    message = domain_message(error)
    if form.refused_line(order, error.field, message):
        return _form_page(order, form, error.status.value)
    return _form_page(order, form, error.status.value, message)


@bp.get("/cancel")
def start_cancel() -> ResponseReturnValue:
    """The form: the whole order or some items, a reason and a comment."""
    _, order = customer_order()
    form = _form(order)
    form.submission.data = uuid.uuid4().hex
    try:
        operations.preview(db.session, _settings(), order, None, language())
    except DomainError as error:
        return _not_taken(order, form, error)
    return _form_page(order, form)


def _checked(order: Order) -> tuple[CancelForm, bool]:
    form = _form(order)
    valid = form.validate()
    return form, form.check_some_chosen(order) and valid


@bp.post("/cancel")
def review_cancel() -> ResponseReturnValue:
    """The choices checked, and what cancelling them refunds and how, before confirming."""
    _, order = customer_order()
    form, valid = _checked(order)
    if not valid:
        return _form_page(order, form, 422)
    try:
        lines, amount = operations.preview(
            db.session, _settings(), order, form.lines(order), language()
        )
    except DomainError as error:
        return _not_taken(order, form, error)
    return render(
        "portal/cancel_confirm.html",
        order=order,
        form=form,
        lines=lines,
        amount=amount,
        reason=CANCEL_REASON_LABELS[form.reason.data],
    )


def _file(principal: Principal, form: CancelForm) -> Cancellation:
    """File the cancellation in one transaction; a form sent again gets the first one."""
    order = locked_order_for(principal, None, *operations.ORDER_LOADING)
    scope = idempotency.caller_scope("portal-cancellation", principal)
    body = {"lines": form.lines(order), "reason": form.reason.data, "comment": form.comment.data}
    fingerprint = idempotency.request_fingerprint(body)
    key = form.submission.data or uuid.uuid4().hex
    stored = idempotency.replay(db.session, scope, key, fingerprint)
    if stored is not None:
        return operations.get_cancellation(db.session, stored[0]["cancellation_id"])
    cancellation = operations.request_cancellation(
        db.session,
        utcnow(),
        _settings(),
        order=order,
        lines=body["lines"],
        reason=body["reason"],
        comment=body["comment"] or "",
        actor=principal.actor,
        locale=language(),
    )
    db.session.flush()
    answer = {"cancellation_id": cancellation.id}
    idempotency.remember(db.session, scope, key, fingerprint, answer, 201, utcnow())
    db.session.commit()
    return cancellation


@bp.post("/cancel/confirm")
def confirm_cancel() -> ResponseReturnValue:
    """Cancel as confirmed (or go back to change the choices), then show the outcome."""
    principal, order = customer_order()
    form, valid = _checked(order)
    if "change" in request.form or not valid:
        return _form_page(order, form, 200 if valid else 422)
    try:
        cancellation = _file(principal, form)
    except DomainError as error:
        db.session.rollback()
        return _not_taken(order, form, error)
    return redirect(url_for("portal_cancel.show_cancellation", cancellation_id=cancellation.id))


@bp.get("/cancellations/<int:cancellation_id>")
def show_cancellation(cancellation_id: int) -> ResponseReturnValue:
    """Where the cancellation stands; while the warehouse is asked, the page refreshes."""
    principal, _ = customer_order()
    cancellation = operations.get_cancellation(db.session, cancellation_id)
    if cancellation.order_id != principal.order_id:
        raise NotFound(f"no cancellation {cancellation_id}")  # nor that it exists
    view = present(db.session, cancellation, operations.return_url(_settings()))
    return render(
        "portal/cancellation.html",
        view=view,
        order=cancellation.order,
        reason=CANCEL_REASON_LABELS.get(cancellation.reason, cancellation.reason),
        refund_states=REFUND_STATES,
    )
