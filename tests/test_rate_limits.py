"""Rate limits are checked where a view asks, and before every request only when a limit
for every request is set."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

from flask import Flask
from limits import parse

from returns_service.extensions import limiter
from returns_service.rate_limits import limits_every_request
from tests.shop import csrf


def _checks_every_request(app: Flask) -> bool:
    return limiter._check_request_limit in app.before_request_funcs.get(None, [])


def test_no_limit_is_checked_before_every_request(app: Flask) -> None:
    """The service sets limits on a few views only: nothing to check before the others.

    Nor does the limiter set such a limit in code, or a blueprint carry a limit of its own
    (Flask-Limiter would check that one before every request of the blueprint)."""
    assert not limits_every_request(app)
    assert not _checks_every_request(app)
    manager = limiter.limit_manager
    assert manager.default_limits == manager.application_limits == limiter._meta_limits == []
    assert manager._blueprint_limits == {}


#: An app of the service whose operator set a limit for every request, in a process of its
#: own (the limiter and the database are one per process): three health checks.
_LIMITED_BY_DEFAULT = """
import sys
from returns_service import create_app
from returns_service.extensions import limiter
from returns_service.rate_limits import limits_every_request
from tests.shop import csrf
app = create_app({
    "SQLALCHEMY_DATABASE_URI": sys.argv[1], "REDIS_URL": sys.argv[2],
    "REDIS_KEY_PREFIX": sys.argv[3], "SECRET_KEY": "test-secret",
    "RATELIMIT_DEFAULT": "2 per minute",
})
assert limiter._check_request_limit in app.before_request_funcs[None]
client = app.test_client()
print(*(client.get("/healthz").status_code for _ in range(3)))
"""


def test_a_limit_for_every_request_is_still_checked(app: Flask) -> None:
    config = app.config
    prefix = f"{config['REDIS_KEY_PREFIX']}by-default-{uuid.uuid4().hex[:8]}:"
    done = subprocess.run(
        [sys.executable, "-c", _LIMITED_BY_DEFAULT]
        + [config["SQLALCHEMY_DATABASE_URI"], config["REDIS_URL"], prefix],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parents[1],
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["200", "200", "429"]


def test_a_limited_view_still_answers_with_its_limit(app: Flask) -> None:
    """The check before the view is gone; the limit's headers after it are not."""
    client = app.test_client()
    token = csrf(client.get("/staff/login").get_data(as_text=True))
    answer = client.post(
        "/staff/login", data={"csrf": token, "email": "nobody@shop.example", "password": "x"}
    )
    assert answer.status_code == 401
    assert answer.headers["X-RateLimit-Limit"] == str(parse(app.config["PORTAL_RATE_LIMIT"]).amount)
