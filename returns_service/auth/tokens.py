"""API tokens: created once and shown once, stored as a hash, checked on every call."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.auth.models import ApiToken, Role

TOKEN_PREFIX = "rsk_"
#: How precisely a token's ``last_used_at`` is kept.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of a request, as far as permissions go."""

    actor: str  # written on the timeline: ``token:<name>``, ``staff:<email>``, ``customer``
    role: Role | None  # None for a customer
    order_id: int | None = None  # a customer's token reaches one order only
    #: Tells callers apart where ``actor`` does not (two tokens may share a name).
    caller: str = ""


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, name: str, role: Role, now: datetime) -> tuple[ApiToken, str]:
    """Create a token; the plain text is returned here and never again."""
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name, role=role, token_hash=hash_token(plain), created_at=now)
    session.add(token)
    return token, plain


def principal_for_token(session: Session, plain: str, now: datetime) -> Principal | None:
    """The principal of a valid, unrevoked token; None otherwise.

    ``last_used_at`` moves at most once a minute: a busy integration would otherwise write
    and commit its token's row on every request, its two workers' requests taking turns
    on that row's lock. The caller commits only when it moved (``session.dirty``).
    """
    if not plain.startswith(TOKEN_PREFIX):
        return None  # a customer's token, or garbage: no need to ask the database
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(plain)))
    if token is None or token.revoked_at is not None:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
    return Principal(actor=f"token:{token.name}", role=token.role, caller=f"token#{token.id}")
