"""LOGILESS's access token renewed through its OAuth 2.0 token endpoint on loopback (as
``FACTS__logiless_api.md`` says: refresh at ``/oauth2/token``, bearer tokens, the OAuth error
envelope): on a 401, before it ends, kept for every worker, spent once, never logged."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from pytest_httpserver import HTTPServer
from sqlalchemy import event, select, text, update
from sqlalchemy.orm import Session
from werkzeug import Request, Response

from returns_service.auth.models import Role
from returns_service.extensions import db
from returns_service.integrations.models import OAuthToken
from returns_service.integrations.oauth import TokenPair
from returns_service.integrations.tokens import StoredTokens
from returns_service.inventory.models import StockItem
from returns_service.outbox import OutboxMessage
from returns_service.portable_sql import commit_without_waiting_for_disk
from tests.conftest import shared_fixture_path
from tests.shop import Shop

MERCHANT = "/merchant/4321"
CLIENT_ID = "logiless-client"
CLIENT_SECRET = "logiless-client-secret"
FIRST = TokenPair("access-1", "refresh-1")
MONTH = 30 * 24 * 3600  # access and refresh tokens live 30 days


class LogilessOAuth:
    """LOGILESS's stock listing, which wants a live bearer token, and its token endpoint,
    which rotates the refresh token and refuses a spent one."""

    def __init__(self, server: HTTPServer) -> None:
        self.live = FIRST
        self.issued = 1
        self.grants: list[dict[str, str]] = []
        self.bearers: list[str] = []
        server.expect_request(f"{MERCHANT}/logical_inventory_summaries").respond_with_handler(
            self._stock
        )
        server.expect_request("/oauth2/token", method="POST").respond_with_handler(self._token)

    def _json(self, body: dict[str, Any], status: int = 200) -> Response:
        return Response(json.dumps(body), status, content_type="application/json")

    def _stock(self, request: Request) -> Response:
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
        self.bearers.append(bearer)
        if bearer != self.live.access_token:
            error = {"error": "invalid_token", "error_description": "The access token expired"}
            return self._json(error, 401)
        page = [{"article_code": "DNM-32", "available": 3, "reserved": 0}]
        return self._json({"data": page, "current_page": 1, "limit": 100, "total_count": 1})

    def _token(self, request: Request) -> Response:
        form = request.form.to_dict()
        self.grants.append(form)
        if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            return self._json({"error": "invalid_client", "error_description": "bad client"}, 401)
        if form.get("grant_type") != "refresh_token" or (
            form.get("refresh_token") != self.live.refresh_token
        ):
            error = {"error": "invalid_grant", "error_description": "The refresh token is invalid"}
            return self._json(error, 400)
        self.issued += 1
        self.live = TokenPair(f"access-{self.issued}", f"refresh-{self.issued}")
        return self._json(
            {
                "access_token": self.live.access_token,
                "refresh_token": self.live.refresh_token,
                "token_type": "Bearer",
                "expires_in": MONTH,
            }
        )


@pytest.fixture
def oauth(httpserver: HTTPServer, configure: Callable[..., None]) -> LogilessOAuth:
    """LOGILESS on loopback, with refresh credentials configured."""
    shared_fixture_path("FACTS__logiless_api.md")
    configure(
        WAREHOUSE_SYSTEM="logiless",
        LOGILESS_API_BASE=httpserver.url_for("/"),
        LOGILESS_MERCHANT_ID="4321",
        LOGILESS_ACCESS_TOKEN=FIRST.access_token,
        LOGILESS_REFRESH_TOKEN=FIRST.refresh_token,
        LOGILESS_CLIENT_ID=CLIENT_ID,
        LOGILESS_CLIENT_SECRET=CLIENT_SECRET,
        LOGILESS_TOKEN_URL=httpserver.url_for("/oauth2/token"),
        WAREHOUSE_STOCK_SYNC_MINUTES=0,
    )
    return LogilessOAuth(httpserver)


def _sync(shop: Shop, admin: dict[str, str]) -> None:
    response = shop.client.post("/api/v1/integrations/warehouse/stock-sync", headers=admin)
    assert response.status_code == 202, response.json
    shop.run_jobs()


def _stored(session: Session) -> OAuthToken:
    session.expire_all()
    return session.scalar(select(OAuthToken).where(OAuthToken.system == "logiless"))


def test_a_refused_token_is_refreshed_once_kept_and_used_by_the_next_job(
    shop: Shop,
    oauth: LogilessOAuth,
    session: Session,
    token_for: Callable[[Role], dict[str, str]],
) -> None:
    admin = token_for(Role.ADMIN)
    oauth.live = TokenPair("revoked", "refresh-1")  # LOGILESS no longer takes access-1

    _sync(shop, admin)

    assert session.get(StockItem, "DNM-32").on_hand == 3
    assert oauth.bearers == ["access-1", "access-2"]
    [grant] = oauth.grants
    assert grant == {
        "grant_type": "refresh_token",
        "refresh_token": "refresh-1",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    stored = _stored(session)
    assert (stored.access_token, stored.refresh_token) == ("access-2", "refresh-2")

    # A later job uses the kept pair, with no refresh.
    _sync(shop, admin)
    assert oauth.bearers[-1] == "access-2" and len(oauth.grants) == 1


def test_a_token_about_to_end_is_refreshed_before_it_is_used(
    shop: Shop,
    oauth: LogilessOAuth,
    session: Session,
    token_for: Callable[[Role], dict[str, str]],
) -> None:
    admin = token_for(Role.ADMIN)
    _sync(shop, admin)  # the settings' pair is stored on first use
    assert oauth.grants == []
    session.execute(update(OAuthToken).values(expires_at=datetime.now(UTC) + timedelta(minutes=1)))
    session.commit()

    _sync(shop, admin)

    assert oauth.bearers == ["access-1", "access-2"]  # LOGILESS never saw the ending token
    stored = _stored(session)
    assert (stored.access_token, stored.refresh_token) == ("access-2", "refresh-2")
    left = stored.expires_at - datetime.now(UTC)
    assert timedelta(days=29) < left <= timedelta(days=30)
    assert stored.refreshed_at is not None


def test_a_spent_refresh_token_fails_the_job_without_a_secret_in_any_log(
    shop: Shop,
    oauth: LogilessOAuth,
    session: Session,
    token_for: Callable[[Role], dict[str, str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    oauth.live = TokenPair("access-9", "refresh-9")  # both of ours were replaced elsewhere
    admin = token_for(Role.ADMIN)
    caplog.set_level(logging.DEBUG)

    _sync(shop, admin)

    failed = session.scalar(
        select(OutboxMessage).where(OutboxMessage.job == "warehouse_sync_stock")
    )
    assert failed.status.value == "failed"
    assert "LOGILESS POST /oauth2/token answered 400: invalid_grant" in failed.last_error
    listed = shop.client.get("/api/v1/integrations", headers=admin).get_data(as_text=True)
    seen = caplog.text + failed.last_error + listed
    for secret in ("access-1", "refresh-1", CLIENT_SECRET):
        assert secret not in seen


def test_new_tokens_in_the_settings_replace_the_kept_pair(
    shop: Shop,
    oauth: LogilessOAuth,
    session: Session,
    configure: Callable[..., None],
    token_for: Callable[[Role], dict[str, str]],
) -> None:
    admin = token_for(Role.ADMIN)
    _sync(shop, admin)
    oauth.live = TokenPair("access-new", "refresh-new")  # the shop authorised the app again
    configure(LOGILESS_ACCESS_TOKEN="access-new", LOGILESS_REFRESH_TOKEN="refresh-new")

    _sync(shop, admin)

    assert oauth.bearers[-1] == "access-new" and oauth.grants == []
    assert _stored(session).refresh_token == "refresh-new"


def test_two_workers_renewing_at_once_spend_the_refresh_token_once(app: Flask) -> None:
    store = StoredTokens("logiless", FIRST)
    stale = store.current()
    calls: list[TokenPair] = []

    def refresh(pair: TokenPair) -> TokenPair:
        calls.append(pair)
        time.sleep(0.2)  # the other worker waits on the row's lock meanwhile
        return TokenPair("access-2", "refresh-2")

    results: list[TokenPair] = []
    workers = [
        threading.Thread(target=lambda: results.append(store.renew(stale, refresh)))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(10)

    assert calls == [FIRST]
    assert [pair.access_token for pair in results] == ["access-2", "access-2"]
    assert store.current().refresh_token == "refresh-2"


def test_a_renewal_commits_to_disk_in_a_worker_that_does_not_wait(app: Flask) -> None:
    """Workers commit without waiting for the disk (a lost commit reruns a job); a spent
    refresh token cannot be had again, so its renewal's commit waits."""
    store = StoredTokens("logiless", FIRST)
    seen: list[str] = []

    def refresh(pair: TokenPair) -> TokenPair:
        with db.engine.connect() as other:  # the renewal's own connection is busy: ask it
            seen.append(other.scalar(text("SHOW synchronous_commit")))
        return TokenPair("access-2", "refresh-2")

    def in_renewal(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "FOR UPDATE" in statement:
            seen.append(cursor.connection.execute("SHOW synchronous_commit").fetchone()[0])

    commit_without_waiting_for_disk(db.engine)
    event.listen(db.engine, "after_cursor_execute", in_renewal)
    try:
        store.renew(store.current(), refresh)
    finally:
        event.remove(db.engine, "after_cursor_execute", in_renewal)
    assert seen == ["on", "off"]  # the renewal's transaction waits; another does not
