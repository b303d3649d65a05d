"""Staff sessions: a copied cookie dies with sign-out, a new password and deactivation;
cookies and pages carry the flags and headers that keep them out of other sites' hands."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bench.inprocess import counted_statements
from returns_service.auth import staff_directory
from returns_service.auth.models import Role, StaffUser
from returns_service.auth.staff_sessions import cookie_settings
from returns_service.cli import main
from returns_service.returns.models import ReturnRequest, ReturnStatus
from tests.shop import Shop, add_staff, csrf, sign_in

EMAIL = "aiko@shop.example"


def _copy_of(client: FlaskClient, app: Flask) -> FlaskClient:
    """Another browser holding a copy of the client's session cookie."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value, domain=cookie.domain)
    return thief


def _signed_in(client: FlaskClient) -> bool:
    return client.get("/staff/").status_code == 200


@pytest.fixture
def aiko(app: Flask, session: Session) -> Iterator[FlaskClient]:
    """A signed-in agent's browser."""
    add_staff(session, EMAIL, Role.AGENT)
    yield sign_in(app.test_client(), EMAIL)


def test_a_copied_cookie_is_refused_after_sign_out(app: Flask, aiko: FlaskClient) -> None:
    copy = _copy_of(aiko, app)
    assert _signed_in(copy)  # the copy works while the session lives
    page = aiko.get("/staff/").get_data(as_text=True)
    assert aiko.post("/staff/logout", data={"csrf": csrf(page)}).status_code == 302
    assert not _signed_in(aiko)
    assert not _signed_in(copy)
    assert copy.get("/staff/").headers["Location"].endswith("/staff/login")


def test_signing_in_again_does_not_revive_an_old_copy(
    app: Flask, aiko: FlaskClient, session: Session
) -> None:
    copy = _copy_of(aiko, app)
    page = aiko.get("/staff/").get_data(as_text=True)
    aiko.post("/staff/logout", data={"csrf": csrf(page)})
    sign_in(aiko, EMAIL)
    assert _signed_in(aiko)
    assert not _signed_in(copy)


def test_a_new_password_ends_every_session(app: Flask, aiko: FlaskClient, session: Session) -> None:
    copy = _copy_of(aiko, app)
    result = app.test_cli_runner().invoke(
        main, ["users", "set-password", EMAIL], input="a brand new password\n"
    )
    assert result.exit_code == 0, result.output
    assert not _signed_in(aiko)
    assert not _signed_in(copy)
    sign_in(aiko, EMAIL, "a brand new password")
    assert _signed_in(aiko)


def test_deactivation_ends_every_session(app: Flask, aiko: FlaskClient, session: Session) -> None:
    copy = _copy_of(aiko, app)
    result = app.test_cli_runner().invoke(main, ["users", "deactivate", EMAIL])
    assert result.exit_code == 0, result.output
    assert not _signed_in(aiko)
    assert not _signed_in(copy)
    session.expire_all()
    assert session.scalar(select(StaffUser.active)) is False


def test_pages_within_the_window_read_their_member_once(
    app: Flask, aiko: FlaskClient, configure: Callable[..., None]
) -> None:
    def staff_reads() -> int:
        with counted_statements(app) as sent:
            assert _signed_in(aiko)
        return sum("FROM staff_users" in statement for statement in sent)

    assert staff_reads() == 2  # the member, and the staff to filter the list by
    assert staff_reads() == 0
    configure(ACCESS_CHECK_SECONDS=0)
    assert staff_reads() == 2


def test_a_change_made_by_another_process_is_taken_once_the_window_lapses(
    app: Flask, aiko: FlaskClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1000.0]
    monkeypatch.setattr(staff_directory.members, "clock", lambda: now[0])
    assert _signed_in(aiko)
    # Deactivated by another process: this one does not see the write.
    session.execute(update(StaffUser).where(StaffUser.email == EMAIL).values(active=False))
    session.commit()
    assert _signed_in(aiko)
    now[0] += app.config["ACCESS_CHECK_SECONDS"]
    assert not _signed_in(aiko)


def test_a_sign_out_from_a_row_read_a_moment_ago_still_ends_every_session(
    app: Flask, aiko: FlaskClient, session: Session
) -> None:
    page = aiko.get("/staff/").get_data(as_text=True)  # the member's row, kept a while
    # Another process ends the sessions meanwhile (a new password, say): this one does not
    # see it, and takes the old cookie within the window.
    bump = {"session_version": StaffUser.session_version + 1}
    session.execute(update(StaffUser).where(StaffUser.email == EMAIL).values(bump))
    session.commit()

    assert aiko.post("/staff/logout", data={"csrf": csrf(page)}).status_code == 302

    session.expire_all()
    # Counted up from the database's value, not written back from the kept row.
    assert session.scalar(select(StaffUser.session_version)) == 2


def test_the_session_cookie_is_lax_and_http_only(app: Flask, session: Session) -> None:
    add_staff(session, EMAIL, Role.AGENT)
    client = app.test_client()
    token = csrf(client.get("/staff/login").get_data(as_text=True))
    response = client.post(
        "/staff/login",
        data={"csrf": token, "email": EMAIL, "password": "correct horse battery staple"},
    )
    cookie = response.headers["Set-Cookie"]
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie
    assert "Secure" not in cookie  # the test app is served over plain http


def test_the_cookie_is_secure_where_the_service_is_served_by_https(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cookie_settings("https://returns.example")["SESSION_COOKIE_SECURE"] is True
    assert cookie_settings("http://127.0.0.1:5000")["SESSION_COOKIE_SECURE"] is False
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    response = app.test_client().get("/")
    assert "Secure" in response.headers["Set-Cookie"]
    assert "SameSite=Lax" in response.headers["Set-Cookie"]


@pytest.mark.parametrize("path", ["/", "/staff/login"])
def test_pages_forbid_framing_and_guessing(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_a_staff_form_without_its_token_changes_nothing(
    app: Flask, aiko: FlaskClient, session: Session, shop: Shop
) -> None:
    order = shop.put_order()
    rma = shop.file(
        shop.customer(), [{"line_id": shop.line_id(order, "L4"), "quantity": 1, "reason": "STYLE"}]
    ).json["rma"]
    assert aiko.post(f"/staff/returns/{rma}/approve", data={}).status_code == 400
    # A token from another person's session is no better than none.
    other = app.test_client()
    foreign = csrf(other.get("/staff/login").get_data(as_text=True))
    refused = aiko.post(f"/staff/returns/{rma}/approve", data={"csrf": foreign})
    assert refused.status_code == 400
    assert "This form has expired" in refused.get_data(as_text=True)
    assert session.scalar(select(ReturnRequest.status)) is ReturnStatus.REVIEW


def test_sign_in_attempts_beyond_the_limit_are_refused(app: Flask, session: Session) -> None:
    """Failed sign-ins are limited per address; other pages are not."""
    add_staff(session, EMAIL, Role.AGENT)
    saved = app.config["PORTAL_RATE_LIMIT"]
    app.config["PORTAL_RATE_LIMIT"] = "3 per minute"
    try:
        client = app.test_client()
        token = csrf(client.get("/staff/login").get_data(as_text=True))
        wrong = {"csrf": token, "email": EMAIL, "password": "not the password"}
        attempts = [client.post("/staff/login", data=wrong).status_code for _ in range(4)]
        assert client.get("/staff/login").status_code == 200  # a page without a limit
    finally:
        app.config["PORTAL_RATE_LIMIT"] = saved
    assert attempts == [401, 401, 401, 429]


def test_a_changed_secret_key_refuses_cookies_signed_with_the_old_one(
    app: Flask, aiko: FlaskClient
) -> None:
    """The cookie's serializer is kept per key: a rotated key is honoured at once."""
    old = app.config["SECRET_KEY"]
    assert _signed_in(aiko)
    before, fallback = _copy_of(aiko, app), _copy_of(aiko, app)
    try:
        app.config["SECRET_KEY"] = old + "-rotated"
        assert not _signed_in(before)
        app.config["SECRET_KEY_FALLBACKS"] = [old]
        assert _signed_in(fallback)  # the old key as a fallback still reads the cookie
    finally:
        app.config.update(SECRET_KEY=old, SECRET_KEY_FALLBACKS=[])
