"""The customer's pages: open an order, choose what to send back, follow the return.

The pages use the same order token as the API (kept in the signed session cookie), file
through the same path as the API, and protect every form with the session's form token.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_wtf.csrf import CSRFError

from returns_service.auth.tokens import Principal
from returns_service.errors import DomainError, NotFound
from returns_service.extensions import db, limiter
from returns_service.models import utcnow
from returns_service.orders.models import Order
from returns_service.pages import form_expired, not_done, page_context, protect_forms
from returns_service.portal import tokens
from returns_service.portal.forms import OpenOrderForm, ReturnForm, return_form
from returns_service.portal.lookup import order_for_contact, order_limit_key
from returns_service.returns.eligibility import order_eligibility
from returns_service.returns.operations import get_return
from returns_service.returns.submission import present_return, submit_return
from returns_service.shop import shop_settings

bp = Blueprint("portal_pages", __name__)
protect_forms(bp)


def _render(template: str, status: int = 200, **context: Any) -> ResponseReturnValue:
    return render_template(template, **page_context(), **context), status


@bp.errorhandler(CSRFError)
def form_without_token(error: CSRFError) -> ResponseReturnValue:
    """A form sent without this session's token: nothing is done."""
    return _render("portal/start.html", 400, form=OpenOrderForm(), error=form_expired())


def _customer() -> Principal | None:
    token = session.get("portal_token")
    return tokens.principal_for(token) if token else None


def _form_number_key() -> str:
    return order_limit_key(request.form.get("order_number", "")[:64])


def _rate() -> str:
    return current_app.config["PORTAL_RATE_LIMIT"]


@bp.get("/")
def start() -> ResponseReturnValue:
    """The form that opens an order."""
    return _render("portal/start.html", form=OpenOrderForm())


@bp.post("/")
@limiter.limit(_rate, methods=["POST"])
@limiter.limit(_rate, key_func=_form_number_key, methods=["POST"])
def open_order() -> ResponseReturnValue:
    """Check the order number and contact; the same answer for any mistake."""
    form = OpenOrderForm()
    no_match = gettext("We could not find that order. Please check the order number and contact.")
    # The form comes back empty whatever was wrong, so no answer tells one mistake apart.
    blank = OpenOrderForm(formdata=None)
    if not form.validate():
        return _render("portal/start.html", 200, form=blank, error=no_match)
    contact = form.contact.data.strip()
    is_email = "@" in contact
    order = order_for_contact(
        db.session,
        form.order_number.data,
        email=contact if is_email else None,
        phone=None if is_email else contact,
    )
    if order is None:
        return _render("portal/start.html", 200, form=blank, error=no_match)
    session["portal_token"] = tokens.issue(order.id)
    return redirect(url_for("portal_pages.show_order"))


def _order(principal: Principal) -> tuple[Order, dict[int, Any]]:
    order = db.session.get(Order, principal.order_id)
    if order is None:
        raise NotFound("no such order")
    config = current_app.config
    eligibility = {
        e.line_id: e
        for e in order_eligibility(
            db.session, order, utcnow(), config["RETURN_WINDOW_DAYS"], config["TIMEZONE"]
        )
    }
    return order, eligibility


def _form_for(order: Order, eligibility: dict[int, Any]) -> ReturnForm:
    # Every line gets its fields, so a form sent again still names what it chose.
    returnable = {i: e.returnable_quantity if e.eligible else 0 for i, e in eligibility.items()}
    return return_form(order, returnable)


def _order_page(
    principal: Principal, status: int = 200, error: str = "", form: ReturnForm | None = None
) -> ResponseReturnValue:
    order, eligibility = _order(principal)
    if form is None:
        form = _form_for(order, eligibility)
        form.submission.data = uuid.uuid4().hex  # one return per form, however often sent
    return _render(
        "portal/order.html", status, order=order, eligibility=eligibility, form=form, error=error
    )


@bp.get("/order")
def show_order() -> ResponseReturnValue:
    """The order's lines, what can be returned, and the return form."""
    principal = _customer()
    if principal is None:
        return redirect(url_for("portal_pages.start"))
    return _order_page(principal)


def _not_taken(error: DomainError) -> str:
    return not_done(
        gettext("We could not take this request. Please check what you chose."), error.message
    )


@bp.post("/returns")
def file_return() -> ResponseReturnValue:
    """File the return chosen in the form, then show it."""
    principal = _customer()
    if principal is None:
        return _render(
            "portal/start.html",
            401,
            form=OpenOrderForm(),
            error=gettext("Please open your order again."),
        )
    order, eligibility = _order(principal)
    form = _form_for(order, eligibility)
    if not form.validate():
        return _order_page(principal, 422, _not_taken_form(form), form)
    body = form.body(order)
    if not body["lines"]:
        return _order_page(principal, 422, gettext("Choose how many of an item to return."), form)
    try:
        answer, _ = submit_return(
            shop_settings(current_app), principal, body, form.uploads(order), form.submission.data
        )
    except DomainError as error:
        db.session.rollback()
        return _order_page(principal, error.status.value, _not_taken(error), form)
    return redirect(url_for("portal_pages.show_return", rma=answer["rma"]))


def _not_taken_form(form: ReturnForm) -> str:
    problems = "; ".join(
        f"{form[name].label.text}: {' '.join(errors)}" for name, errors in form.errors.items()
    )
    return gettext("Please check these answers: %(problems)s", problems=problems)


@bp.get("/returns/<rma>")
def show_return(rma: str) -> ResponseReturnValue:
    """A return's status, decision, next steps and history."""
    principal = _customer()
    if principal is None:
        return redirect(url_for("portal_pages.start"))
    return_request = get_return(db.session, rma)
    if return_request.order_id != principal.order_id:
        raise NotFound(f"no return {rma!r}")
    view = present_return(shop_settings(current_app), return_request)
    return _render("portal/return.html", view=view)
