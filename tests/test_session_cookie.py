"""The session cookie is read once while valid, and the form token signed once per session:
neither changes what a request sees, what expires, or what another key accepts."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from flask import Flask, flash, get_flashed_messages, session
from flask.testing import FlaskClient

from returns_service.session_cookie import SessionCookies
from tests.shop import csrf


class Clock:
    """``time.time`` for the process, moved on by hand (itsdangerous reads it too)."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(time, "time", fake)
    return fake


@pytest.fixture
def small_app() -> Flask:
    """An app with nothing but the service's session cookies and a few views on them."""
    app = Flask(__name__)
    app.secret_key = "first key " * 4
    app.session_interface = SessionCookies()
    app.config["PERMANENT_SESSION_LIFETIME"] = 60

    @app.post("/name/<name>")
    def keep_name(name: str) -> str:
        session["name"] = name
        flash(f"hello {name}")
        return "kept"

    @app.get("/name")
    def show_name() -> str:
        return session.get("name", "nobody")

    @app.post("/flash")
    def add_flash() -> str:
        flash("another")  # appends to the list the cookie holds
        return "flashed"

    @app.get("/flashes")
    def peek_flashes() -> str:
        return ",".join(message for _, message in session.get("_flashes", []))

    @app.get("/read-flashes")
    def read_flashes() -> str:
        return ",".join(get_flashed_messages())

    return app


def _with_cookie(app: Flask, cookie: str) -> FlaskClient:
    client = app.test_client()
    client.set_cookie("session", cookie)
    return client


def _cookie_after(client: FlaskClient, path: str) -> str:
    client.post(path)
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def test_a_cookie_read_again_holds_what_it_held(small_app: Flask) -> None:
    cookie = _cookie_after(small_app.test_client(), "/name/aiko")
    for _ in range(3):
        assert _with_cookie(small_app, cookie).get("/name").get_data(as_text=True) == "aiko"


def test_what_a_request_changes_stays_out_of_the_next_that_sends_the_same_cookie(
    small_app: Flask,
) -> None:
    cookie = _cookie_after(small_app.test_client(), "/name/aiko")
    # One request appends to the session's list of messages, another reads it away: both
    # change only their own copy of what the cookie holds.
    assert _with_cookie(small_app, cookie).post("/flash").status_code == 200
    assert _with_cookie(small_app, cookie).get("/read-flashes").get_data(as_text=True) == (
        "hello aiko"
    )
    again = _with_cookie(small_app, cookie)
    assert again.get("/flashes").get_data(as_text=True) == "hello aiko"


def test_a_kept_cookie_expires_when_its_age_passes_the_lifetime(
    small_app: Flask, clock: Clock
) -> None:
    cookie = _cookie_after(small_app.test_client(), "/name/aiko")
    clock.now += 59
    assert _with_cookie(small_app, cookie).get("/name").get_data(as_text=True) == "aiko"
    clock.now += 2
    assert _with_cookie(small_app, cookie).get("/name").get_data(as_text=True) == "nobody"


def test_a_kept_cookie_is_refused_once_its_key_is_replaced(small_app: Flask) -> None:
    cookie = _cookie_after(small_app.test_client(), "/name/aiko")
    assert _with_cookie(small_app, cookie).get("/name").get_data(as_text=True) == "aiko"
    small_app.secret_key = "second key " * 4
    assert _with_cookie(small_app, cookie).get("/name").get_data(as_text=True) == "nobody"
    small_app.config["SECRET_KEY_FALLBACKS"] = ["first key " * 4]
    assert _with_cookie(small_app, cookie).get("/name").get_data(as_text=True) == "aiko"


def test_a_forged_cookie_is_a_new_session(small_app: Flask) -> None:
    cookie = _cookie_after(small_app.test_client(), "/name/aiko")
    forged = cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB")
    assert _with_cookie(small_app, forged).get("/name").get_data(as_text=True) == "nobody"


@pytest.fixture
def login_page(app: Flask) -> Iterator[Callable[[FlaskClient], str]]:
    yield lambda client: csrf(client.get("/staff/login").get_data(as_text=True))


def test_the_pages_of_a_session_carry_one_signed_form_token_that_is_accepted(
    app: Flask, clock: Clock, login_page: Callable[[FlaskClient], str]
) -> None:
    client = app.test_client()
    first = login_page(client)  # the page that gave the session its token
    clock.now += 5  # Flask-WTF would sign it with another timestamp at every page
    second = login_page(client)
    clock.now += 5
    assert login_page(client) == second
    sent = {"email": "nobody@shop.example", "password": "not it"}
    # Past the form's check (401: no such staff member), where a wrong token gets 400.
    for token in (first, second):
        assert client.post("/staff/login", data={"csrf": token, **sent}).status_code == 401
    forged = second[:-2] + ("AA" if not second.endswith("AA") else "BB")
    assert client.post("/staff/login", data={"csrf": forged, **sent}).status_code == 400
    other = app.test_client()
    login_page(other)
    assert login_page(other) != second  # another session, another token


def test_a_token_with_a_time_limit_is_signed_for_each_page(
    app: Flask,
    clock: Clock,
    login_page: Callable[[FlaskClient], str],
    configure: Callable[..., None],
) -> None:
    configure(WTF_CSRF_TIME_LIMIT=3600)
    client = app.test_client()
    login_page(client)
    second = login_page(client)
    clock.now += 5
    assert login_page(client) != second
