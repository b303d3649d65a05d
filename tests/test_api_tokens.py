"""API tokens: who they identify, and how their last use is kept."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy.orm import Session

from returns_service.auth.models import ApiToken, Role
from returns_service.auth.tokens import create_token, principal_for_token
from returns_service.models import utcnow


def test_last_use_is_kept_to_the_minute_without_a_write_per_call(
    app: Flask, session: Session
) -> None:
    start = utcnow()
    token, plain = create_token(session, "shop", Role.INTEGRATION, start)
    session.commit()

    assert principal_for_token(session, plain, start).actor == "token:shop"
    session.commit()
    principal_for_token(session, plain, start + timedelta(seconds=30))
    assert not session.dirty  # nothing to write within the minute
    session.commit()
    assert session.get(ApiToken, token.id).last_used_at == start

    principal_for_token(session, plain, start + timedelta(seconds=61))
    session.commit()
    assert session.get(ApiToken, token.id).last_used_at == start + timedelta(seconds=61)


def test_a_token_without_our_prefix_is_nobody_s(app: Flask, session: Session) -> None:
    assert principal_for_token(session, "eyJvcmRlciI6MX0.customer-token", utcnow()) is None
