"""API tokens: who they identify, and how their last use is kept."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy.orm import Session

from bench.inprocess import counted_statements
from returns_service.auth.models import Role
from returns_service.auth.operations import revoke_token
from returns_service.auth.tokens import (
    Principal,
    RecentChecks,
    TokenCheck,
    check_token,
    create_token,
    hash_token,
    recent_checks,
)
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


def test_a_token_found_valid_is_taken_without_asking_again_for_a_while(
    app: Flask, session: Session
) -> None:
    token, plain = create_token(session, "shop", Role.INTEGRATION, utcnow())
    session.commit()
    first = check_token(session, plain, utcnow(), trusted_for=5)
    session.commit()
    with counted_statements(app) as sent:
        again = check_token(session, plain, utcnow(), trusted_for=5)

    assert again == TokenCheck(first.principal) and sent == []


def test_a_token_revoked_in_this_process_is_refused_at_once(app: Flask, session: Session) -> None:
    token, plain = create_token(session, "shop", Role.INTEGRATION, utcnow())
    session.commit()
    assert check_token(session, plain, utcnow(), trusted_for=60).principal is not None
    session.commit()

    revoke_token(session, utcnow(), token.id)
    session.commit()

    assert check_token(session, plain, utcnow(), trusted_for=60) == TokenCheck(None)


def test_a_check_made_while_the_revocation_was_not_committed_is_forgotten_at_its_commit(
    app: Flask, session: Session
) -> None:
    token, plain = create_token(session, "shop", Role.INTEGRATION, utcnow())
    session.commit()
    revoke_token(session, utcnow(), token.id)
    # Another thread's request, checking before the revocation is committed, still finds
    # the token live and trusts it.
    principal = Principal(actor="token:shop", role=Role.INTEGRATION, caller=f"token#{token.id}")
    recent_checks.keep(hash_token(plain), principal, 60)

    session.commit()

    assert check_token(session, plain, utcnow(), trusted_for=60) == TokenCheck(None)


def test_without_a_time_to_trust_every_check_asks_the_database(
    app: Flask, session: Session
) -> None:
    token, plain = create_token(session, "shop", Role.INTEGRATION, utcnow())
    session.commit()
    assert check_token(session, plain, utcnow(), trusted_for=60).principal is not None
    session.commit()
    token.revoked_at = utcnow()  # as another process would, without this one hearing of it
    session.commit()

    assert check_token(session, plain, utcnow(), trusted_for=0) == TokenCheck(None)


def test_a_recent_check_lapses_after_its_time() -> None:
    now = [100.0]
    checks = RecentChecks(clock=lambda: now[0])
    principal = Principal(actor="token:shop", role=Role.INTEGRATION)
    checks.keep("hash", principal, 5)

    now[0] = 104.9
    assert checks.get("hash") == principal
    now[0] = 105.0
    assert checks.get("hash") is None


def test_recent_checks_keep_nothing_for_no_time_and_forget_all_when_full() -> None:
    checks = RecentChecks(limit=2)
    principal = Principal(actor="token:shop", role=Role.INTEGRATION)
    checks.keep("none", principal, 0)
    assert checks.get("none") is None

    checks.keep("a", principal, 60)
    checks.keep("b", principal, 60)
    checks.keep("c", principal, 60)  # the third: the first two are forgotten
    assert [checks.get(key) for key in "abc"] == [None, None, principal]


def test_a_value_read_before_a_forgetting_is_not_kept() -> None:
    checks = RecentChecks()
    principal = Principal(actor="token:shop", role=Role.INTEGRATION)
    read_in = checks.generation  # a request starts reading the token's row
    checks.forget("hash")  # another thread's revocation commits meanwhile
    checks.keep("hash", principal, 60, read_in)
    assert checks.get("hash") is None

    checks.keep("hash", principal, 60, checks.generation)  # read after it: kept
    assert checks.get("hash") == principal
