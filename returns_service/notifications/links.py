"""Signed links to a return's status page and slip, for e-mails: no order number to type.

A link is signed with the app's secret under its own salt (a portal session token or a
survey token is no link, nor the reverse) and expires after ``RETURN_LINK_DAYS``. E-mails
carry only what the link names; the worker signs it when it renders the e-mail.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

from returns_service.shop import ShopSettings

SALT = "portal-return-link"


def _serializer(settings: ShopSettings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.config["SECRET_KEY"], salt=SALT)


def status_link(order_id: int, rma: str) -> dict[str, Any]:
    """What an e-mail's context holds for the link to a return's page."""
    return {"order": order_id, "rma": rma}


def read_link(settings: ShopSettings, token: str) -> tuple[int, str] | None:
    """The order and RMA a valid, unexpired link names; None otherwise."""
    max_age = settings.config["RETURN_LINK_DAYS"] * 86400
    try:
        data = _serializer(settings).loads(token, max_age=max_age)
    except BadSignature:  # also raised, as a subclass, for an expired link
        return None
    return int(data["order"]), str(data["rma"])


def status_url(settings: ShopSettings, link: Mapping[str, Any]) -> str:
    """The address of the return's status page that opens it without signing in; its
    printable slip is this address with ``/slip.pdf`` added."""
    token = _serializer(settings).dumps({"order": link["order"], "rma": link["rma"]})
    return f"{settings.public_url.rstrip('/')}/r/{token}"
