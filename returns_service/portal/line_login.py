"""The portal's "link with LINE": LINE Login's authorisation code flow, linking the customer.

The order and return pages include ``portal/_line_login.html``, which offers the link when
LINE Login is configured. The customer goes to LINE with a fresh ``state`` and ``nonce``
kept in their session; LINE sends them back with a code, which is exchanged at LINE's
token endpoint for an ID token naming their LINE user. The customer is then linked as a
link code sent to the shop's account would link them.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from returns_service.extensions import db
from returns_service.integrations.errors import IntegrationError
from returns_service.integrations.line import operations
from returns_service.integrations.line.login import (
    IdTokenError,
    LineLogin,
    LoginChannel,
    authorize_url,
    verify_id_token,
)
from returns_service.models import utcnow
from returns_service.orders.models import Order
from returns_service.pages import language, page_context
from returns_service.portal import tokens

log = logging.getLogger(__name__)
bp = Blueprint("portal_line_login", __name__)
#: The session key of a login under way: its state, nonce, order and page to return to.
PENDING = "line_login"


def _channel() -> LoginChannel | None:
    config = current_app.config
    if not config["LINE_LOGIN_CHANNEL_ID"]:
        return None
    return LoginChannel(
        channel_id=config["LINE_LOGIN_CHANNEL_ID"],
        channel_secret=config["LINE_LOGIN_CHANNEL_SECRET"],
        authorize_url=config["LINE_LOGIN_AUTHORIZE_URL"],
        api_base=config["LINE_API_BASE"],
        redirect_uri=config["PUBLIC_URL"].rstrip("/") + url_for("portal_line_login.callback"),
    )


def _customer_order() -> Order | None:
    token = session.get("portal_token")
    principal = tokens.principal_for(token) if token else None
    if principal is None or principal.order_id is None:
        return None
    return db.session.get(Order, principal.order_id)


def _back_to(path: str | None) -> str:
    """A page of this site to return to; anything else goes to the order page."""
    if path and path.startswith("/") and not path.startswith(("//", "/\\")):
        return path
    return url_for("portal_pages.show_order")


@bp.app_template_global()
def line_link_state() -> dict[str, Any] | None:
    """For the include: whether to offer the link, and whether it is made (None: hidden)."""
    order = _customer_order() if _channel() is not None else None
    if order is None or order.customer_id is None:
        return None
    account = operations.account_of(db.session, order.customer_id)
    return {
        "linked": bool(account and account.line_user_id),
        "url": url_for("portal_line_login.start", next=request.path),
    }


@bp.get("/line/login")
def start() -> ResponseReturnValue:
    """Send the customer to LINE to log in and allow the link."""
    channel = _channel()
    order = _customer_order()
    if channel is None or order is None:
        return redirect(url_for("portal_pages.start"))
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session[PENDING] = {
        "state": state,
        "nonce": nonce,
        "order_id": order.id,
        "next": _back_to(request.args.get("next")),
    }
    return redirect(authorize_url(channel, state, nonce, language()))


def _failed(status: int = 400) -> ResponseReturnValue:
    message = gettext("The %(line)s link could not be completed. Please try again.", line="LINE")
    return render_template("portal/line_login_failed.html", **page_context(), error=message), status


@bp.get("/line/callback")
def callback() -> ResponseReturnValue:
    """LINE's answer: check the state, exchange the code, check the ID token, link."""
    pending = session.pop(PENDING, None)
    channel = _channel()
    order = _customer_order()
    state = request.args.get("state", "")
    if (
        channel is None
        or order is None
        or not isinstance(pending, dict)
        or pending.get("order_id") != order.id
        or not hmac.compare_digest(str(pending.get("state", "")), state)
    ):
        return _failed()
    if "error" in request.args:  # the customer cancelled on LINE's screen
        return redirect(pending["next"])
    code = request.args.get("code", "")
    if not code or order.customer_id is None:
        return _failed()
    login = LineLogin(channel)
    now = utcnow()
    try:
        answer = login.exchange(code)
        claims = verify_id_token(answer["id_token"], channel, pending["nonce"], now)
        friend = login.is_friend(answer["access_token"])
    except (IntegrationError, IdTokenError) as exc:
        log.warning("LINE Login for order %s failed: %s", order.id, exc)
        return _failed(502 if isinstance(exc, IntegrationError) else 400)
    operations.link_by_login(db.session, now, order.customer_id, claims["sub"], friend=friend)
    db.session.commit()
    return redirect(pending["next"])
