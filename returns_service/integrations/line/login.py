"""LINE Login (OAuth 2.0 / OpenID Connect, web login): the authorisation request, the code
exchange, and the ID token that names the LINE user.

A web login's ID token is a JWT signed with HS256 and the Login channel's secret; it is
trusted only after its signature, issuer, audience (the channel id), expiry and nonce are
checked. Nothing here reads the app or the database.
"""

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from returns_service.integrations.errors import IntegrationError
from returns_service.integrations.http import JsonClient
from returns_service.integrations.line import mapping
from returns_service.integrations.oauth import TokenEndpoint

ISSUER = "https://access.line.me"
TOKEN_PATH = "/oauth2/v2.1/token"
FRIENDSHIP_PATH = "/friendship/v1/status"
#: The user id is all the link needs; LINE asks for no more than the profile.
SCOPE = "openid profile"


class IdTokenError(ValueError):
    """An ID token that must not be trusted; the message says why (never the token)."""


@dataclass(frozen=True)
class LoginChannel:
    """The LINE Login channel and where LINE sends the customer back."""

    channel_id: str
    channel_secret: str
    authorize_url: str
    api_base: str
    redirect_uri: str

    def __repr__(self) -> str:
        return f"LoginChannel({self.channel_id!r})"


def authorize_url(channel: LoginChannel, state: str, nonce: str, locale: str) -> str:
    """Where the customer's browser goes to log in to LINE and allow the link.

    ``bot_prompt=normal`` offers to add the shop's official account as a friend on the
    consent screen, which LINE needs before it lets us push messages.
    """
    query = {
        "response_type": "code",
        "client_id": channel.channel_id,
        "redirect_uri": channel.redirect_uri,
        "state": state,
        "scope": SCOPE,
        "nonce": nonce,
        "bot_prompt": "normal",
        "ui_locales": locale,
    }
    return f"{channel.authorize_url}?{urlencode(query)}"


def _decode(part: str, what: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        raise IdTokenError(f"the ID token's {what} is not base64url") from None


def _json(part: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(_decode(part, what))
    except ValueError:
        raise IdTokenError(f"the ID token's {what} is not JSON") from None
    if not isinstance(value, dict):
        raise IdTokenError(f"the ID token's {what} is not a JSON object")
    return value


def verify_id_token(token: str, channel: LoginChannel, nonce: str, now: datetime) -> dict[str, Any]:
    """The ID token's claims, once its signature and claims are checked; else IdTokenError."""
    parts = token.split(".")
    if len(parts) != 3:
        raise IdTokenError("the ID token is not a JWT")
    header, payload, signature = parts
    if _json(header, "header").get("alg") != "HS256":
        raise IdTokenError("the ID token is not signed with HS256")
    expected = hmac.new(
        channel.channel_secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256
    ).digest()
    if not hmac.compare_digest(expected, _decode(signature, "signature")):
        raise IdTokenError("the ID token's signature does not match the channel secret")
    claims = _json(payload, "payload")
    if claims.get("iss") != ISSUER:
        raise IdTokenError("the ID token was not issued by LINE")
    if claims.get("aud") != channel.channel_id:
        raise IdTokenError("the ID token is for another channel")
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or exp <= now.timestamp():
        raise IdTokenError("the ID token has expired")
    if not isinstance(claims.get("nonce"), str) or not hmac.compare_digest(claims["nonce"], nonce):
        raise IdTokenError("the ID token's nonce is not this login's")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise IdTokenError("the ID token names no user")
    return claims


class LineLogin:
    """The calls of one login: the code for tokens, then whether the user is a friend."""

    def __init__(self, channel: LoginChannel) -> None:
        self._channel = channel
        self._tokens = TokenEndpoint(
            "LINE Login",
            channel.api_base.rstrip("/") + TOKEN_PATH,
            channel.channel_id,
            channel.channel_secret,
        )

    def exchange(self, code: str) -> dict[str, Any]:
        """The token endpoint's answer for an authorisation code (with ``id_token``)."""
        body = self._tokens.grant(
            "authorization_code", code=code, redirect_uri=self._channel.redirect_uri
        )
        if not isinstance(body.get("id_token"), str):
            raise IntegrationError("LINE Login answered without an ID token")
        return body

    def is_friend(self, access_token: str) -> bool:
        """Whether the user has the shop's official account as a friend (pushes reach them)."""
        http = JsonClient(
            system="LINE Login",
            base_url=self._channel.api_base,
            headers={"Authorization": f"Bearer {access_token}"},
            error_detail=mapping.error_detail,
        )
        body = http.get(FRIENDSHIP_PATH)
        return bool(isinstance(body, dict) and body.get("friendFlag"))
