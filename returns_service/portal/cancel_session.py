"""What the cancellation and subscription pages share: the customer's order and the page."""

from __future__ import annotations

from typing import Any

from flask import render_template, session
from flask.typing import ResponseReturnValue

from returns_service.auth.tokens import Principal
from returns_service.errors import Unauthorized
from returns_service.extensions import db
from returns_service.orders.models import Order
from returns_service.pages import page_context
from returns_service.portal import tokens


def render(template: str, status: int = 200, **context: Any) -> ResponseReturnValue:
    """A portal page with what every page shares."""
    return render_template(template, **page_context(), **context), status


def customer_order() -> tuple[Principal, Order]:
    """The customer and the order this browser opened; Unauthorized (the page that asks
    to open it again) when the session no longer holds it."""
    token = session.get("portal_token")
    principal = tokens.principal_for(token) if token else None
    order = db.session.get(Order, principal.order_id) if principal else None
    if principal is None or order is None:
        raise Unauthorized("no order is open in this session", code="session_lost")
    return principal, order
