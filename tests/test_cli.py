"""The ``returns-service`` commands, run against the test app."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from returns_service.auth.models import ApiToken, Role, StaffUser
from returns_service.cli import main
from returns_service.extensions import jobs
from returns_service.models import utcnow
from returns_service.outbox import MessageStatus, OutboxMessage


def run(app: Flask, *args: str, stdin: str | None = None) -> Any:
    # The test runner hands the test app to the command group instead of building one.
    return app.test_cli_runner().invoke(main, list(args), input=stdin)


def test_tokens_create_prints_a_working_token_on_its_last_line(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    result = run(app, "tokens", "create", "--name", "shop-sync", "--role", "integration")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert (
        lines[0] == "token 'shop-sync' with role integration; keep it now, it is not shown again:"
    )
    token = lines[-1]
    assert token.startswith("rsk_") and " " not in token
    stored = session.scalars(select(ApiToken)).one()
    assert (stored.name, stored.role) == ("shop-sync", Role.INTEGRATION)
    assert token not in stored.token_hash

    response = client.get("/api/v1/orders/x", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 404
    wrong = client.get("/api/v1/orders/x", headers={"Authorization": f"Bearer {token}x"})
    assert wrong.status_code == 401


def test_tokens_create_refuses_an_unknown_role(app: Flask, session: Session) -> None:
    result = run(app, "tokens", "create", "--name", "n", "--role", "root")

    assert result.exit_code == 2
    assert "Invalid value for '--role'" in result.stderr
    assert session.scalars(select(ApiToken)).all() == []


def test_users_create_reads_the_password_from_stdin(app: Flask, session: Session) -> None:
    result = run(
        app, "users", "create", "--email", "A@B.c", "--role", "admin", stdin="correct horse\n"
    )

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "created admin a@b.c"
    user = session.scalars(select(StaffUser)).one()
    assert (user.email, user.role, user.active) == ("a@b.c", Role.ADMIN, True)
    assert check_password_hash(user.password_hash, "correct horse")
    assert not check_password_hash(user.password_hash, "correct horse\n")


def test_users_create_refuses_a_short_password(app: Flask, session: Session) -> None:
    result = run(app, "users", "create", "--email", "a@b.c", "--role", "admin", stdin="short\n")

    assert result.exit_code == 2
    assert "the password must have at least 8 characters" in result.stderr
    assert session.scalars(select(StaffUser)).all() == []


def test_users_create_refuses_a_duplicate_email(app: Flask, session: Session) -> None:
    first = run(app, "users", "create", "--email", "a@b.c", "--role", "admin", stdin="password1\n")
    assert first.exit_code == 0, first.output

    second = run(app, "users", "create", "--email", "A@b.C", "--role", "agent", stdin="password2\n")

    assert second.exit_code == 2
    assert "a user A@b.C exists already" in second.stderr
    user = session.scalars(select(StaffUser)).one()
    assert (user.email, user.role) == ("a@b.c", Role.ADMIN)


def test_db_upgrade_on_a_database_at_head(app: Flask) -> None:
    result = run(app, "db", "upgrade")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "database at head"


def test_relay_once_with_nothing_to_relay(app: Flask) -> None:
    result = run(app, "relay", "--once")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "relayed 0 messages"


def test_relay_once_hands_a_missed_message_to_the_queue(app: Flask, session: Session) -> None:
    # As left behind when Redis was down at commit time: pending and never enqueued.
    now = utcnow()
    message_id = uuid.uuid4().hex
    session.add(
        OutboxMessage(
            id=message_id,
            job="send_email",
            payload={},
            status=MessageStatus.PENDING,
            created_at=now,
            run_after=now,
        )
    )
    session.commit()

    result = run(app, "relay", "--once")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "relayed 1 messages"
    with app.app_context():
        assert jobs.queue.job_ids == [message_id]
    session.expire_all()
    assert session.get(OutboxMessage, message_id).enqueued_at is not None
