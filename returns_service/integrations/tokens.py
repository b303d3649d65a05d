"""Token pairs kept in the database, renewed by one worker at a time.

A refresh token may be single-use: once the token endpoint answered, the new pair is the
only one that works. So it is written on a connection of its own and committed at once,
whatever becomes of the job that needed it, and renewing happens under the row's lock, so
two workers never spend the same refresh token.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from returns_service.extensions import db
from returns_service.integrations.models import OAuthToken
from returns_service.integrations.oauth import TokenEndpoint, TokenPair
from returns_service.models import utcnow
from returns_service.portable_sql import wait_for_disk_at_commit


def _digest(pair: TokenPair) -> str:
    return hashlib.sha256(f"{pair.access_token}\0{pair.refresh_token}".encode()).hexdigest()


def _pair(row: OAuthToken) -> TokenPair:
    return TokenPair(row.access_token, row.refresh_token, row.expires_at)


class StoredTokens:
    """A system's pair in ``oauth_tokens``, started from the pair the settings give."""

    def __init__(self, system: str, seed: TokenPair) -> None:
        self.system = system
        self._seed = seed

    def _row(self, session: Session, *, lock: bool) -> OAuthToken:
        query = select(OAuthToken).where(OAuthToken.system == self.system)
        row = session.scalar(query.with_for_update() if lock else query)
        digest = _digest(self._seed)
        if row is None:
            row = OAuthToken(system=self.system, seeded_from=digest, updated_at=utcnow())
            session.add(row)
        elif row.seeded_from == digest:
            return row
        row.access_token = self._seed.access_token
        row.refresh_token = self._seed.refresh_token
        row.expires_at = self._seed.expires_at
        row.seeded_from = digest
        row.updated_at = utcnow()
        return row

    def current(self) -> TokenPair:
        """The stored pair (the settings' pair the first time, or after they changed)."""
        return self._in_own_transaction(lambda session: _pair(self._row(session, lock=False)))

    def renew(self, stale: TokenPair, refresh: Callable[[TokenPair], TokenPair]) -> TokenPair:
        """Refresh under the row's lock, unless another worker already replaced ``stale``."""

        def renew_locked(session: Session) -> TokenPair:
            # Workers commit without waiting for the disk; losing this commit in a
            # database crash would keep a refresh token the token endpoint has spent.
            wait_for_disk_at_commit(session)
            row = self._row(session, lock=True)
            if row.access_token != stale.access_token:
                return _pair(row)
            fresh = refresh(_pair(row))
            row.access_token = fresh.access_token
            row.refresh_token = fresh.refresh_token
            row.expires_at = fresh.expires_at
            row.refreshed_at = row.updated_at = utcnow()
            return fresh

        return self._in_own_transaction(renew_locked)

    @staticmethod
    def _in_own_transaction(work: Callable[[Session], TokenPair]) -> TokenPair:
        """Run ``work`` on a connection of its own and commit at once."""

        def once() -> TokenPair:
            with Session(db.engine) as session, session.begin():
                return work(session)

        try:
            return once()
        except IntegrityError:  # another worker inserted the first row meanwhile: read it
            return once()


def renewal(system: str, config: Mapping[str, Any]) -> dict[str, Any]:
    """An adapter's ``tokens`` and ``token_endpoint`` from ``<SYSTEM>_*`` settings.

    Empty without a refresh token: the adapter then uses the configured access token as is.
    """
    prefix = system.upper()
    if not config[f"{prefix}_REFRESH_TOKEN"]:
        return {}
    seed = TokenPair(config[f"{prefix}_ACCESS_TOKEN"], config[f"{prefix}_REFRESH_TOKEN"])
    endpoint = TokenEndpoint(
        prefix,
        config[f"{prefix}_TOKEN_URL"],
        config[f"{prefix}_CLIENT_ID"],
        config[f"{prefix}_CLIENT_SECRET"],
    )
    return {"tokens": StoredTokens(system, seed), "token_endpoint": endpoint}
