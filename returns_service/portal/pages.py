"""The customer's pages: open an order, choose what to send back, follow the return.

The pages use the same order token as the API (kept in the signed session cookie), file
through the same path as the API, and protect every form with the session's form token.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, gettext
from flask_wtf.csrf import CSRFError

from returns_service.auth.tokens import Principal
from returns_service.config import LOCALES
from returns_service.errors import DomainError, NotFound
from returns_service.extensions import db, limiter
from returns_service.models import utcnow
from returns_service.notifications.links import read_link
from returns_service.orders.models import Order
from returns_service.pages import form_expired, language, page_context, protect_forms
from returns_service.portal import kept_photos, tokens
from returns_service.portal.errors import domain_message
from returns_service.portal.forms import OpenOrderForm, ReturnForm, return_form
from returns_service.portal.lookup import normalise_contact, order_for_contact, order_limit_key
from returns_service.portal.order_view import LineView, order_lines
from returns_service.portal.return_view import customer_view
from returns_service.portal.slip import return_slip
from returns_service.returns.models import ReturnMethod, ReturnRequest
from returns_service.returns.operations import get_return
from returns_service.returns.pending_photos import PendingPhotos
from returns_service.returns.submission import present_return, submit_return
from returns_service.shop import shop_settings

bp = Blueprint("portal_pages", __name__)
protect_forms(bp)
kept_photos.register(bp)


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
    """The form that opens an order; the shop may link to it with ``?order=%231020``."""
    form = OpenOrderForm(formdata=None, order_number=request.args.get("order", "")[:64])
    return _render("portal/start.html", form=form)


@bp.get("/brand.css")
def brand_css() -> ResponseReturnValue:
    """The shop's colour for the pages' style sheet (no inline styles: the CSP forbids them)."""
    css = f":root {{ --brand: {current_app.config['SHOP_COLOUR']}; }}\n"
    return Response(css, mimetype="text/css", headers={"Cache-Control": "max-age=300"})


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
    contact = normalise_contact(form.contact.data)
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


def _order(principal: Principal) -> tuple[Order, list[LineView]]:
    order = db.session.get(Order, principal.order_id)
    if order is None:
        raise NotFound("no such order")
    lines = order_lines(db.session, order, utcnow(), current_app.config["TIMEZONE"])
    return order, lines


def _order_page(
    principal: Principal, status: int = 200, error: str = "", form: ReturnForm | None = None
) -> ResponseReturnValue:
    order, lines = _order(principal)
    if form is None:
        form = return_form(order, lines, language())
        form.submission.data = uuid.uuid4().hex  # one return per form, however often sent
    return _render(
        "portal/order.html",
        status,
        order=order,
        lines=lines,
        returnable=any(view.eligible for view in lines),
        form=form,
        error=error,
        tomorrow=_shop_tomorrow().isoformat(),
        kept=_kept_names(form),
    )


def _kept_names(form: ReturnForm) -> dict[int, list[str]]:
    pending = kept_photos.owned(form.submission.data)
    return pending.by_line() if pending else {}


def _keep_photos(pending: PendingPhotos | None, uploads: dict[int, list[Any]]) -> list[DomainError]:
    """Keep the form's valid photos (less those the customer removed); the refused ones."""
    if pending is None:
        return []
    pending.remove(request.form.getlist("remove_photo"))
    config = current_app.config
    return pending.keep(uploads, config["MAX_PHOTO_BYTES"], config["MAX_PHOTOS_PER_LINE"])


def _shop_tomorrow() -> date:
    """The first day a pickup can be booked: tomorrow in the shop's time zone."""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return utcnow().astimezone(zone).date() + timedelta(days=1)


@bp.get("/order")
def show_order() -> ResponseReturnValue:
    """The order's lines, what can be returned, and the return form."""
    principal = _customer()
    if principal is None:
        return redirect(url_for("portal_pages.start"))
    return _order_page(principal)


def _check_marked() -> str:
    return gettext("We could not take this request. Please check the answers marked below.")


def _not_taken(form: ReturnForm, body: dict[str, Any], error: DomainError) -> str:
    """The refusal in the page's words, beside the field it concerns where there is one."""
    message = domain_message(error)
    return _check_marked() if form.mark_refused(error.field, body, message) else message


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
    order, lines = _order(principal)
    form = return_form(order, lines, language())
    pending = kept_photos.claim(form.submission.data)
    body = form.body(order)
    # Photos of lines not sent back are left aside (kept ones stay for when they are).
    chosen = {line["line_id"] for line in body["lines"]}
    uploads = {i: files for i, files in form.uploads(order).items() if i in chosen}
    refused_photos = _keep_photos(pending, uploads)
    valid = form.validate()
    for error in refused_photos:
        form.mark_refused(error.field, body, domain_message(error))
    if not valid or refused_photos:
        return _order_page(principal, 422, _check_marked(), form)
    if not body["lines"]:
        return _order_page(principal, 422, gettext("Choose how many of an item to return."), form)
    try:
        answer, _ = submit_return(
            shop_settings(current_app),
            principal,
            body,
            {} if pending else uploads,
            form.submission.data,
            kept={i: p for i, p in pending.photos().items() if i in chosen} if pending else None,
        )
    except DomainError as error:
        db.session.rollback()
        return _order_page(principal, error.status.value, _not_taken(form, body, error), form)
    if pending:
        pending.clear()
    return redirect(url_for("portal_pages.show_return", rma=answer["rma"]))


def _own_return(rma: str) -> ReturnRequest | None:
    """The customer's return with this RMA; None without an open order."""
    principal = _customer()
    if principal is None:
        return None
    return_request = get_return(db.session, rma)
    if return_request.order_id != principal.order_id:
        raise NotFound(f"no return {rma!r}")
    return return_request


@bp.get("/returns/<rma>")
def show_return(rma: str) -> ResponseReturnValue:
    """A return's status, what comes back, next steps and history."""
    return_request = _own_return(rma)
    if return_request is None:
        return redirect(url_for("portal_pages.start"))
    view = present_return(shop_settings(current_app), return_request, language())
    return _render(
        "portal/return.html", view=view, shown=customer_view(db.session, view, language())
    )


@bp.get("/returns/<rma>/slip.pdf")
def return_slip_pdf(rma: str) -> ResponseReturnValue:
    """The printable return slip of a drop-off return."""
    return_request = _own_return(rma)
    if return_request is None:
        return redirect(url_for("portal_pages.start"))
    return _slip(return_request)


def _slip(return_request: ReturnRequest) -> ResponseReturnValue:
    if return_request.method is not ReturnMethod.DROPOFF:
        raise NotFound(f"return {return_request.rma} has no slip: it is collected")
    pdf = return_slip(return_request, shop_settings(current_app), language())
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = (
        f'inline; filename="return-slip-{return_request.rma}.pdf"'
    )
    return response


def _linked_return(token: str) -> ReturnRequest:
    found = read_link(shop_settings(current_app), token)
    if found is None:
        raise NotFound("this link is not valid or has expired")
    order_id, rma = found
    return_request = get_return(db.session, rma)
    if return_request.order_id != order_id:
        raise NotFound(f"no return {rma!r}")
    # The link stands for the order number and contact: the order opens as if typed.
    session["portal_token"] = tokens.issue(order_id)
    if request.args.get("lang") not in LOCALES:
        session["lang"] = return_request.locale
    return return_request


@bp.get("/r/<token>")
def open_link(token: str) -> ResponseReturnValue:
    """An e-mail's signed link: opens the return's page without typing the order again."""
    return_request = _linked_return(token)
    return redirect(url_for("portal_pages.show_return", rma=return_request.rma))


@bp.get("/r/<token>/slip.pdf")
def linked_slip(token: str) -> ResponseReturnValue:
    """An e-mail's signed link to the return slip."""
    return_request = _linked_return(token)
    with force_locale(session.get("lang") or return_request.locale):
        return _slip(return_request)
