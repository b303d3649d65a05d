"""Signed links to a return's status page and slip, for e-mails: no order number to type.

A link is signed with the app's secret under its own salt (a portal session token or a
survey token is no link, nor the reverse) and expires after ``RETURN_LINK_DAYS``.
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from returns_service.returns.models import ReturnRequest

SALT = "portal-return-link"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def link_token(request: ReturnRequest) -> str:
    """The token of a link to this return's page."""
    return _serializer().dumps({"order": request.order_id, "rma": request.rma})


def read_link(token: str) -> tuple[int, str] | None:
    """The order and RMA a valid, unexpired link names; None otherwise."""
    max_age = current_app.config["RETURN_LINK_DAYS"] * 86400
    try:
        data = _serializer().loads(token, max_age=max_age)
    except BadSignature:  # also raised, as a subclass, for an expired link
        return None
    return int(data["order"]), str(data["rma"])


def status_url(request: ReturnRequest) -> str:
    """The address of the return's status page that opens it without signing in."""
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/r/{link_token(request)}"


def slip_url(request: ReturnRequest) -> str:
    """The address of the return's printable slip (PDF), signed the same way."""
    return status_url(request) + "/slip.pdf"
