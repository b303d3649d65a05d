"""API tokens: who they identify, and how their last use is kept."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy.orm import Session

from returns_service.auth.models import Role
from returns_service.auth.tokens import TokenCheck, check_token, create_token
from returns_service.models import utcnow


def test_last_use_is_kept_to_the_minute_without_a_write_per_call(
    app: Flask, session: Session
) -> None:
    start = utcnow()
    token, plain = create_token(session, "shop", Role.INTEGRATION, start)
    session.commit()

    first = check_token(session, plain, start)
    assert first.principal.actor == "token:shop" and first.wrote
    session.commit()
    assert not check_token(session, plain, start + timedelta(seconds=30)).wrote
    session.commit()
    session.refresh(token)
    assert token.last_used_at == start  # nothing written within the minute

    assert check_token(session, plain, start + timedelta(seconds=61)).wrote
    session.commit()
    session.refresh(token)
    assert token.last_used_at == start + timedelta(seconds=61)


def test_a_revoked_token_is_nobody_s(app: Flask, session: Session) -> None:
    token, plain = create_token(session, "shop", Role.INTEGRATION, utcnow())
    token.revoked_at = utcnow()
    session.commit()

    assert check_token(session, plain, utcnow()) == TokenCheck(None)


def test_a_token_without_our_prefix_is_nobody_s(app: Flask, session: Session) -> None:
    assert check_token(session, "eyJvcmRlciI6MX0.customer-token", utcnow()).principal is None
