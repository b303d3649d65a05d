"""Request guards for the JSON API: bearer tokens and roles."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, g, request

from returns_service.auth.models import Role
from returns_service.auth.tokens import Principal, check_token
from returns_service.errors import Forbidden, Unauthorized
from returns_service.extensions import db
from returns_service.models import utcnow

F = TypeVar("F", bound=Callable[..., Any])

#: Resolvers tried in turn for a bearer token; the portal adds the customer's.
_RESOLVERS: list[Callable[[str], Principal | None]] = []


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer ...`` header, if any."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def add_principal_resolver(resolver: Callable[[str], Principal | None]) -> None:
    """Let another kind of bearer token (a customer's) identify callers."""
    if resolver not in _RESOLVERS:
        _RESOLVERS.append(resolver)


def current_principal() -> Principal:
    """The caller of this request; 401 when there is none."""
    if "principal" in g:
        return g.principal
    token = bearer_token()
    if token is None:
        raise Unauthorized("an Authorization: Bearer <token> header is required")
    trusted_for = current_app.config["ACCESS_CHECK_SECONDS"]
    checked = check_token(db.session, token, utcnow(), trusted_for=trusted_for)
    if checked.wrote:
        # Keep last_used_at. Otherwise the read stays in the request's transaction: a
        # commit here would hand the connection back and check it out (pinged) again.
        db.session.commit()
    principal = checked.principal
    for resolver in _RESOLVERS:
        if principal is not None:
            break
        principal = resolver(token)
    if principal is None:
        raise Unauthorized("the token is not valid")
    g.principal = principal
    return principal


def require_roles(*roles: Role, customer: bool = False) -> Callable[[F], F]:
    """Allow staff tokens with one of ``roles`` (admin always), and customers if asked."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            principal = current_principal()
            if principal.role is None:
                if not customer:
                    raise Forbidden("this needs a staff token")
            elif principal.role is not Role.ADMIN and principal.role not in roles:
                allowed = ", ".join(sorted({Role.ADMIN.value, *(r.value for r in roles)}))
                raise Forbidden(f"this needs one of the roles: {allowed}")
            return view(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate
