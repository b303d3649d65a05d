"""OAuth 2.0 token endpoints (RFC 6749): exchanging a code, refreshing a token pair.

The grants are form-encoded POSTs with the client's id and secret; the answer is JSON.
Tokens and secrets are never part of an error message or a ``repr``: an error names the
system, the grant and the endpoint's ``error`` code only.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlsplit

from returns_service.integrations.errors import IntegrationError
from returns_service.integrations.http import JsonClient

#: A token this close to its end is refreshed before it is used.
REFRESH_MARGIN = timedelta(minutes=5)


@dataclass(frozen=True)
class TokenPair:
    """An access token, the refresh token that renews it, and when the access token ends."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: datetime | None = None

    def expiring(self, now: datetime) -> bool:
        """Whether the access token ends within the refresh margin (unknown: it does not)."""
        return self.expires_at is not None and self.expires_at - REFRESH_MARGIN <= now


class TokenStore(Protocol):
    """Where a system's token pair is kept between calls and processes."""

    def current(self) -> TokenPair:
        """The pair to use now."""
        ...

    def renew(self, stale: TokenPair, refresh: Callable[[TokenPair], TokenPair]) -> TokenPair:
        """Replace ``stale`` by ``refresh(pair)`` and keep the result, once.

        A store shared by several workers renews under a lock: a caller whose stale pair
        was renewed meanwhile gets the new pair without a second refresh.
        """
        ...


class FixedTokens:
    """A pair that is never renewed (no refresh credentials configured)."""

    def __init__(self, pair: TokenPair) -> None:
        self._pair = pair

    def current(self) -> TokenPair:
        """The configured pair."""
        return self._pair

    def renew(self, stale: TokenPair, refresh: Callable[[TokenPair], TokenPair]) -> TokenPair:
        """Refused: there is nothing to renew with."""
        raise IntegrationError("the access token was refused and cannot be refreshed")


def oauth_error(body: Any) -> str | None:
    """The ``error`` code of an OAuth error answer (its description may echo input)."""
    if isinstance(body, Mapping) and isinstance(body.get("error"), str):
        return body["error"]
    return None


class TokenEndpoint:
    """One system's token endpoint, with the client's credentials."""

    def __init__(self, system: str, url: str, client_id: str, client_secret: str) -> None:
        self.system = system
        self._client_id = client_id
        self._client_secret = client_secret
        parts = urlsplit(url)
        self._path = parts.path or "/"
        self._http = JsonClient(
            system=system,
            base_url=f"{parts.scheme}://{parts.netloc}",
            headers={},
            error_detail=oauth_error,
        )

    def __repr__(self) -> str:
        return f"TokenEndpoint({self.system!r})"

    def grant(self, grant_type: str, **fields: str) -> dict[str, Any]:
        """Ask for tokens with one grant; the JSON answer must carry an access token."""
        form = {
            "grant_type": grant_type,
            **fields,
            "client_id": self._client_id,
            "client_secret": self._client_secret,
        }
        body = self._http.send("POST", self._path, data=form)
        if not isinstance(body, Mapping) or not isinstance(body.get("access_token"), str):
            raise IntegrationError(f"{self.system} answered the {grant_type} grant without a token")
        return dict(body)

    def refresh(self, pair: TokenPair, now: datetime) -> TokenPair:
        """A new pair for the refresh token; a server that does not rotate it keeps the old."""
        body = self.grant("refresh_token", refresh_token=pair.refresh_token)
        return TokenPair(
            access_token=body["access_token"],
            refresh_token=body.get("refresh_token") or pair.refresh_token,
            expires_at=expiry(body, now),
        )


def expiry(body: Mapping[str, Any], now: datetime) -> datetime | None:
    """When a granted access token ends, from ``expires_in`` seconds (absent: unknown)."""
    seconds = body.get("expires_in")
    if isinstance(seconds, int | float) and not isinstance(seconds, bool) and seconds > 0:
        return now + timedelta(seconds=seconds)
    return None
