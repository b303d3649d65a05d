"""LINE Login from the portal against a loopback LINE: the authorisation request, the code
exchanged at the token endpoint, the HS256 ID token checked (signature, issuer, audience,
expiry, nonce), the customer linked, and their next status message pushed on LINE."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug import Request, Response

from returns_service.integrations.line.login import (
    ISSUER,
    IdTokenError,
    LoginChannel,
    verify_id_token,
)
from returns_service.integrations.line.models import Channel, LineAccount
from tests.integrations.test_line import SECRET, TOKEN, FakeLine
from tests.portal.pages import open_order as _open
from tests.shop import Shop

CHANNEL_ID = "1656789012"
LOGIN_SECRET = "line-login-channel-secret"
USER = "U4af4980629a1b2c3d4e5f60718293a4b"
LOGIN_ACCESS = "line-login-access-token"
CHANNEL = LoginChannel(CHANNEL_ID, LOGIN_SECRET, "https://access.line.me/x", "", "")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def id_token(claims: dict[str, Any], secret: str = LOGIN_SECRET, alg: str = "HS256") -> str:
    """An ID token as LINE signs a web login's: HS256 with the channel secret."""
    header = _b64(json.dumps({"typ": "JWT", "alg": alg}).encode())
    payload = _b64(json.dumps(claims).encode())
    signed = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signed)}"


def claims(nonce: str, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": ISSUER,
        "sub": USER,
        "aud": CHANNEL_ID,
        "exp": now + 3600,
        "iat": now,
        "nonce": nonce,
        "amr": ["pwd"],
        "name": "Taro Line",
    } | changes


class FakeLineLogin:
    """LINE's token endpoint and friendship status, answering as LINE Login's reference."""

    def __init__(self, server: HTTPServer) -> None:
        self.grants: list[dict[str, str]] = []
        self.nonce = ""
        self.token_claims: dict[str, Any] = {}
        self.token_secret = LOGIN_SECRET
        self.friend = True
        server.expect_request("/oauth2/v2.1/token", method="POST").respond_with_handler(self._token)
        server.expect_request("/friendship/v1/status").respond_with_handler(self._friendship)

    def _token(self, request: Request) -> Response:
        form = request.form.to_dict()
        self.grants.append(form)
        if form.get("code") != "auth-code" or form.get("client_secret") != LOGIN_SECRET:
            body = {"error": "invalid_grant", "error_description": "invalid authorization code"}
            return Response(json.dumps(body), 400, content_type="application/json")
        body = {
            "access_token": LOGIN_ACCESS,
            "token_type": "Bearer",
            "refresh_token": "line-login-refresh",
            "expires_in": 2592000,
            "scope": "openid profile",
            "id_token": id_token(claims(self.nonce) | self.token_claims, self.token_secret),
        }
        return Response(json.dumps(body), 200, content_type="application/json")

    def _friendship(self, request: Request) -> Response:
        assert request.headers["Authorization"] == f"Bearer {LOGIN_ACCESS}"
        return Response(json.dumps({"friendFlag": self.friend}), content_type="application/json")


@pytest.fixture
def line_login(httpserver: HTTPServer, configure: Callable[..., None]) -> FakeLineLogin:
    """LINE Login and the Messaging API on loopback."""
    return switch_on_line_login(httpserver, configure)


def switch_on_line_login(server: HTTPServer, configure: Callable[..., None]) -> FakeLineLogin:
    """Point the app's LINE Login and Messaging API at a loopback LINE."""
    fake = FakeLineLogin(server)
    configure(
        LINE_CHANNEL_SECRET=SECRET,
        LINE_CHANNEL_ACCESS_TOKEN=TOKEN,
        LINE_API_BASE=server.url_for("").rstrip("/"),
        LINE_LOGIN_CHANNEL_ID=CHANNEL_ID,
        LINE_LOGIN_CHANNEL_SECRET=LOGIN_SECRET,
    )
    return fake


def _to_line(client: FlaskClient, fake: FakeLineLogin) -> dict[str, str]:
    """Press "link with LINE" on the order page; the authorisation request's parameters."""
    response = client.get("/line/login", query_string={"next": "/order"})
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == (
        "https://access.line.me/oauth2/v2.1/authorize"
    )
    query = {key: values[0] for key, values in parse_qs(location.query).items()}
    fake.nonce = query["nonce"]
    return query


def _account(session: Session) -> LineAccount | None:
    session.expire_all()
    return session.scalar(select(LineAccount))


def test_a_customer_links_line_by_logging_in_and_gets_status_messages_there(
    shop: Shop, line_login: FakeLineLogin, httpserver: HTTPServer, session: Session
) -> None:
    messaging = FakeLine(httpserver)
    order = shop.put_order()
    client = shop.client
    page = _open(client)
    assert "LINEで連携する" in page

    query = _to_line(client, line_login)
    assert query["response_type"] == "code" and query["client_id"] == CHANNEL_ID
    assert query["redirect_uri"] == "http://returns.test/line/callback"
    assert query["scope"] == "openid profile" and query["bot_prompt"] == "normal"
    assert len(query["state"]) >= 32 and query["state"] != query["nonce"]

    back = client.get("/line/callback", query_string={"code": "auth-code", "state": query["state"]})
    assert back.status_code == 302 and back.headers["Location"] == "/order"
    [grant] = line_login.grants
    assert grant == {
        "grant_type": "authorization_code",
        "code": "auth-code",
        "redirect_uri": "http://returns.test/line/callback",
        "client_id": CHANNEL_ID,
        "client_secret": LOGIN_SECRET,
    }
    account = _account(session)
    assert (account.line_user_id, account.following, account.channel) == (
        USER,
        True,
        Channel.BOTH,
    )
    assert "LINEアカウントと連携済みです" in client.get("/order").get_data(as_text=True)

    filed = shop.file(
        shop.customer(),
        [{"line_id": shop.line_id(order, "L1"), "quantity": 1, "reason": "SIZE_TOO_SMALL"}],
    )
    assert filed.status_code == 201, filed.json
    shop.run_jobs()
    assert messaging.pushes and {body["to"] for _, body in messaging.pushes} == {USER}

    # The state was used up: LINE's answer cannot be replayed.
    again = client.get(
        "/line/callback", query_string={"code": "auth-code", "state": query["state"]}
    )
    assert again.status_code == 400


@pytest.mark.parametrize(
    "forged",
    [
        {"token_secret": "another-channels-secret"},
        {"token_claims": {"nonce": "a-nonce-of-another-login"}},
        {"token_claims": {"aud": "1600000000"}},
        {"token_claims": {"exp": int(time.time()) - 1}},
        {"token_claims": {"iss": "https://access.line.me.example"}},
    ],
    ids=["signature", "nonce", "audience", "expired", "issuer"],
)
def test_an_id_token_that_fails_a_check_links_nothing(
    shop: Shop, line_login: FakeLineLogin, session: Session, forged: dict[str, Any]
) -> None:
    for name, value in forged.items():
        setattr(line_login, name, value)
    shop.put_order()
    _open(shop.client)
    query = _to_line(shop.client, line_login)

    back = shop.client.get(
        "/line/callback", query_string={"code": "auth-code", "state": query["state"]}
    )

    assert back.status_code == 400
    assert "LINEとの連携を完了できませんでした" in back.get_data(as_text=True)
    assert _account(session) is None


def test_a_wrong_state_or_a_refused_code_links_nothing_and_a_cancel_goes_back(
    shop: Shop, line_login: FakeLineLogin, session: Session
) -> None:
    shop.put_order()
    _open(shop.client)
    query = _to_line(shop.client, line_login)
    forged = shop.client.get("/line/callback", query_string={"code": "auth-code", "state": "x"})
    assert forged.status_code == 400 and line_login.grants == []

    query = _to_line(shop.client, line_login)
    refused = shop.client.get(
        "/line/callback", query_string={"code": "stale-code", "state": query["state"]}
    )
    assert refused.status_code == 502
    assert LOGIN_SECRET not in refused.get_data(as_text=True)

    query = _to_line(shop.client, line_login)
    cancelled = shop.client.get(
        "/line/callback",
        query_string={"error": "access_denied", "state": query["state"]},
    )
    assert cancelled.status_code == 302 and cancelled.headers["Location"] == "/order"
    assert _account(session) is None


def test_no_offer_without_line_login_and_a_customer_who_is_no_friend_stays_on_email(
    shop: Shop, line_login: FakeLineLogin, session: Session, configure: Callable[..., None]
) -> None:
    shop.put_order()
    line_login.friend = False
    _open(shop.client)
    query = _to_line(shop.client, line_login)
    shop.client.get("/line/callback", query_string={"code": "auth-code", "state": query["state"]})
    account = _account(session)
    assert account.line_user_id == USER and account.following is False

    configure(LINE_LOGIN_CHANNEL_ID="")
    assert "LINE" not in shop.client.get("/order").get_data(as_text=True)


def test_the_id_token_checks_one_by_one() -> None:
    now = datetime.now(UTC)
    good = id_token(claims("n-1"))
    assert verify_id_token(good, CHANNEL, "n-1", now)["sub"] == USER
    cases = {
        "HS256": id_token(claims("n-1"), alg="none"),
        "signature": good[:-2] + ("AA" if not good.endswith("AA") else "BB"),
        "issued by LINE": id_token(claims("n-1", iss="https://evil.example")),
        "another channel": id_token(claims("n-1", aud="1")),
        "expired": id_token(claims("n-1", exp=int(now.timestamp()) - 5)),
        "nonce": id_token(claims("n-2")),
        "names no user": id_token(claims("n-1", sub="")),
        "not a JWT": "abc.def",
    }
    for reason, token in cases.items():
        with pytest.raises(IdTokenError, match=reason):
            verify_id_token(token, CHANNEL, "n-1", now)
