"""Customer tokens: signed, time-limited, good for one order only."""

from __future__ import annotations

from functools import lru_cache

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from returns_service.auth.tokens import Principal

SALT = "portal-order"


def _serializer() -> URLSafeTimedSerializer:
    return _serializer_for(current_app.config["SECRET_KEY"])


@lru_cache(maxsize=8)
def _serializer_for(secret_key: str | bytes) -> URLSafeTimedSerializer:
    """Built once per key: it depends on nothing else, and every portal call reads a token."""
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def issue(order_id: int) -> str:
    """A token that opens this one order to its customer."""
    return _serializer().dumps({"order": order_id})


def principal_for(token: str) -> Principal | None:
    """The customer principal of a valid, unexpired token; None otherwise."""
    max_age = current_app.config["PORTAL_TOKEN_MINUTES"] * 60
    try:
        data = _serializer().loads(token, max_age=max_age)
    except BadSignature:  # also raised, as a subclass, for expired tokens
        return None
    return Principal(actor="customer", role=None, order_id=int(data["order"]))
