"""``returns-service users ...`` and ``tokens ...``: list, revoke, deactivate, new passwords."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from returns_service.auth.models import ApiToken, Role, StaffUser
from returns_service.cli import main
from tests.shop import add_staff


def run(app: Flask, *args: str, stdin: str | None = None) -> Any:
    return app.test_cli_runner().invoke(main, list(args), input=stdin)


def _token(app: Flask, name: str) -> str:
    result = run(app, "tokens", "create", "--name", name, "--role", "agent")
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()[-1]


def test_tokens_are_listed_without_their_secret(app: Flask, session: Session) -> None:
    plain = _token(app, "helpdesk")
    result = run(app, "tokens", "list")
    assert result.exit_code == 0, result.output
    token_id, name, role, *_ = result.stdout.splitlines()[0].split("\t")
    assert (name, role) == ("helpdesk", "agent")
    assert int(token_id) == session.scalar(select(ApiToken.id))
    assert plain not in result.stdout


def test_a_revoked_token_is_refused_and_listed_only_with_all(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    plain = _token(app, "helpdesk")
    headers = {"Authorization": f"Bearer {plain}"}
    assert client.get("/api/v1/returns", headers=headers).status_code == 200
    token_id = session.scalar(select(ApiToken.id))

    result = run(app, "tokens", "revoke", str(token_id))
    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/returns", headers=headers).status_code == 401
    assert run(app, "tokens", "list").stdout == ""
    assert "helpdesk" in run(app, "tokens", "list", "--all").stdout

    again = run(app, "tokens", "revoke", str(token_id))
    assert again.exit_code == 1 and "was revoked at" in again.output
    unknown = run(app, "tokens", "revoke", "99999999999")
    assert unknown.exit_code == 2 and "no token 99999999999" in unknown.output


def test_users_are_listed_with_role_and_state(app: Flask, session: Session) -> None:
    add_staff(session, "boss@shop.example", Role.ADMIN)
    add_staff(session, "soko@shop.example", Role.WAREHOUSE, locale="ja")
    run(app, "users", "deactivate", "SOKO@shop.example")
    lines = run(app, "users", "list").stdout.splitlines()
    assert lines[0].split("\t")[:4] == ["boss@shop.example", "admin", "active", "en"]
    assert lines[1].split("\t")[:4] == ["soko@shop.example", "warehouse", "deactivated", "ja"]


def test_set_password_needs_a_known_user_and_a_long_password(app: Flask, session: Session) -> None:
    user = add_staff(session, "boss@shop.example", Role.ADMIN)
    version = user.session_version
    short = run(app, "users", "set-password", "boss@shop.example", stdin="short\n")
    assert short.exit_code == 2 and "at least 8 characters" in short.output
    unknown = run(app, "users", "set-password", "who@shop.example", stdin="long enough\n")
    assert unknown.exit_code == 2 and "no staff member who@shop.example" in unknown.output
    done = run(app, "users", "set-password", "boss@shop.example", stdin="long enough\n")
    assert done.exit_code == 0, done.output
    session.expire_all()
    stored = session.get(StaffUser, user.id)
    assert check_password_hash(stored.password_hash, "long enough")
    assert stored.session_version == version + 1
