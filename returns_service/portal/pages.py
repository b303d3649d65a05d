"""The customer's pages: open an order, choose what to send back, follow the return.

The pages use the same order token as the API (kept in the signed session cookie), file
through the same path as the API, and protect every form with a per-session token.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import FileStorage

from returns_service.auth.tokens import Principal
from returns_service.errors import DomainError, NotFound
from returns_service.extensions import db, limiter
from returns_service.forms import check_csrf, csrf_token
from returns_service.models import utcnow
from returns_service.orders.models import Order
from returns_service.portal import tokens
from returns_service.portal.lookup import order_for_contact, order_limit_key
from returns_service.portal.texts import LANGUAGES, REASONS, SLOTS, STATUSES, TEXTS
from returns_service.returns.eligibility import order_eligibility
from returns_service.returns.operations import get_return
from returns_service.returns.submission import present_return, submit_return

bp = Blueprint("portal_pages", __name__)


def _language() -> str:
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        session["lang"] = chosen
    return session.get("lang") or request.accept_languages.best_match(
        LANGUAGES, default=current_app.config["DEFAULT_LOCALE"]
    )


def _render(template: str, status: int = 200, **context: Any) -> ResponseReturnValue:
    lang = _language()
    return (
        render_template(
            template,
            lang=lang,
            t=TEXTS[lang],
            reasons=REASONS[lang],
            statuses=STATUSES[lang],
            csrf=csrf_token(),
            shop_name=current_app.config["SHOP_NAME"],
            **context,
        ),
        status,
    )


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
    return _render("portal/start.html")


@bp.post("/")
@limiter.limit(_rate, methods=["POST"])
@limiter.limit(_rate, key_func=_form_number_key, methods=["POST"])
def open_order() -> ResponseReturnValue:
    """Check the order number and contact; the same answer for any mistake."""
    check_csrf()
    contact = request.form.get("contact", "").strip()
    is_email = "@" in contact
    order = order_for_contact(
        db.session,
        request.form.get("order_number", ""),
        email=contact if is_email else None,
        phone=None if is_email else contact,
    )
    if order is None:
        return _render("portal/start.html", 200, error=TEXTS[_language()]["no_match"])
    session["portal_token"] = tokens.issue(order.id)
    return redirect(url_for("portal_pages.show_order"))


def _order_page(principal: Principal, status: int = 200, error: str = "") -> ResponseReturnValue:
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
    return _render(
        "portal/order.html",
        status,
        order=order,
        eligibility=eligibility,
        slots=SLOTS,
        submission=uuid.uuid4().hex,  # one return per form, however often it is sent
        error=error,
    )


@bp.get("/order")
def show_order() -> ResponseReturnValue:
    """The order's lines, what can be returned, and the return form."""
    principal = _customer()
    if principal is None:
        return redirect(url_for("portal_pages.start"))
    return _order_page(principal)


def _lines_from_form(order: Order) -> tuple[list[dict[str, Any]], dict[int, list[FileStorage]]]:
    lines, uploads = [], {}
    for line in order.lines:
        quantity = request.form.get(f"quantity_{line.id}", "0")
        if not quantity.isdigit() or int(quantity) == 0:
            continue
        lines.append(
            {
                "line_id": line.id,
                "quantity": int(quantity),
                "reason": request.form.get(f"reason_{line.id}", ""),
                "comment": request.form.get(f"comment_{line.id}", ""),
                "exchange_sku": request.form.get(f"exchange_sku_{line.id}") or None,
            }
        )
        photos = [f for f in request.files.getlist(f"photo_{line.id}") if f.filename]
        if photos:
            uploads[line.id] = photos
    return lines, uploads


@bp.post("/returns")
def file_return() -> ResponseReturnValue:
    """File the return chosen in the form, then show it."""
    check_csrf()
    principal = _customer()
    if principal is None:
        return _render("portal/start.html", 401, error=TEXTS[_language()]["sign_in_again"])
    order = db.session.get(Order, principal.order_id)
    lines, uploads = _lines_from_form(order)
    if not lines:
        return _order_page(principal, 422, TEXTS[_language()]["nothing_chosen"])
    method: dict[str, Any] = {"type": request.form.get("method", "dropoff")}
    if method["type"] == "pickup":
        method |= {
            "date": request.form.get("pickup_date") or None,
            "slot": request.form.get("pickup_slot") or None,
        }
    body = {
        "lines": lines,
        "resolution": request.form.get("resolution", "refund"),
        "method": method,
    }
    try:
        answer, _ = submit_return(principal, body, uploads, request.form.get("submission"))
    except DomainError as error:
        db.session.rollback()
        message = TEXTS[_language()]["not_filed"].format(detail=error.message)
        return _order_page(principal, error.status.value, message)
    return redirect(url_for("portal_pages.show_return", rma=answer["rma"]))


@bp.get("/returns/<rma>")
def show_return(rma: str) -> ResponseReturnValue:
    """A return's status, decision, next steps and history."""
    principal = _customer()
    if principal is None:
        return redirect(url_for("portal_pages.start"))
    return_request = get_return(db.session, rma)
    if return_request.order_id != principal.order_id:
        raise NotFound(f"no return {rma!r}")
    return _render("portal/return.html", view=present_return(return_request))
