"""API tokens: created once and shown once, stored as a hash, checked on every call."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from returns_service.auth.models import ApiToken, Role

TOKEN_PREFIX = "rsk_"
V = TypeVar("V")
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


#: Every API call's lookup: the few columns a principal needs, built once. Rows rather than
#: an ``ApiToken`` object: nothing is kept in the session for the rest of the request.
_LIVE_TOKEN = select(ApiToken.id, ApiToken.name, ApiToken.role, ApiToken.last_used_at).where(
    ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None)
)


@dataclass(frozen=True, slots=True)
class TokenCheck:
    """What a bearer token was found to be; ``wrote`` when its last use moved."""

    principal: Principal | None
    wrote: bool = False


class RecentChecks(Generic[V]):
    """What was found valid lately (a token's principal, a staff member's row), by key,
    each until a moment.

    An integration sends its token with every call, and a staff member's browser its
    sign-in with every page; asking the database each time cost every call a statement (3%
    of an order's ``PUT``, a tenth of a staff page). What this process changes it forgets
    at once (see :meth:`forget`); another process of the service goes on taking it until
    its own entry lapses, ``RETURNS_ACCESS_CHECK_SECONDS`` at most.
    """

    def __init__(self, limit: int = 1024, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.clock = clock
        #: Moves at every forgetting: a value read from the database before it is not kept.
        self.generation = 0
        self._until: dict[str, tuple[V, float]] = {}
        # Keeping checks the generation and stores as one step: a thread's forgetting
        # between the two would let a value read before it be kept.
        self._lock = threading.Lock()

    def get(self, key: str) -> V | None:
        """What was found for ``key`` less than its time ago, if anything."""
        found = self._until.get(key)
        if found is None or found[1] <= self.clock():
            return None
        return found[0]

    def keep(self, key: str, value: V, seconds: float, read_in: int | None = None) -> None:
        """Take ``value`` for ``key`` without asking again for ``seconds``; not when
        something was forgotten since its reading began (``read_in``: the generation then),
        as the change forgotten may have committed after the value was read."""
        with self._lock:
            if seconds <= 0 or (read_in is not None and read_in != self.generation):
                return
            if len(self._until) >= self.limit:
                self._until.clear()
            self._until[key] = (value, self.clock() + seconds)

    def forget(self, key: str) -> None:
        """Ask the database again at the key's next use."""
        with self._lock:
            self.generation += 1
            self._until.pop(key, None)

    def clear(self) -> None:
        """Ask the database again at every key's next use."""
        with self._lock:
            self.generation += 1
            self._until.clear()


#: This process's recent checks of tokens, by the token's hash.
recent_checks: RecentChecks[Principal] = RecentChecks()


def check_token(
    session: Session, plain: str, now: datetime, *, trusted_for: float = 0
) -> TokenCheck:
    """The principal of a valid, unrevoked token (None otherwise), its last use kept.

    A token found valid is taken without asking the database again for ``trusted_for``
    seconds (see :class:`RecentChecks`). ``last_used_at`` moves at most once a minute: a
    busy integration would otherwise write and commit its token's row on every request,
    its two workers' requests taking turns on that row's lock. The caller commits only
    when it moved (``wrote``).
    """
    if not plain.startswith(TOKEN_PREFIX):
        return TokenCheck(None)  # a customer's token, or garbage: no need to ask the database
    token_hash = hash_token(plain)
    if trusted_for > 0 and (known := recent_checks.get(token_hash)) is not None:
        return TokenCheck(known)
    read_in = recent_checks.generation
    # On the connection: a statement of columns needs none of the ORM's handling.
    token = session.connection().execute(_LIVE_TOKEN, {"token_hash": token_hash}).one_or_none()
    if token is None:
        return TokenCheck(None)
    principal = Principal(actor=f"token:{token.name}", role=token.role, caller=f"token#{token.id}")
    recent_checks.keep(token_hash, principal, trusted_for, read_in)
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return TokenCheck(principal)
    session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
    return TokenCheck(principal, wrote=True)
