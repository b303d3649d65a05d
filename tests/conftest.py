"""Test fixtures: a throw-away PostgreSQL database built by the migrations, a flushed Redis
database, the app, its clients, and tokens for each role."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.orm import Session

from returns_service import create_app
from returns_service.auth.models import Role
from returns_service.auth.tokens import create_token
from returns_service.config import normalise_database_url
from returns_service.extensions import db
from returns_service.migrate import upgrade
from returns_service.models import Base, utcnow

pytest_plugins = ["tests.shop"]

SERVER_URL = normalise_database_url(
    os.environ.get("RETURNS_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
)
REDIS_SERVER_URL = os.environ.get("RETURNS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
CLAIM_KEY = "returns-tests:claimed-by"
SHARED_FIXTURES = Path(
    os.environ.get(
        "RETURNS_SHARED_FIXTURES", Path(__file__).resolve().parents[2] / "shared" / "fixtures"
    )
)
SHOPIFY_SECRET = "test-webhook-secret"


def shared_fixture_path(name: str) -> Path:
    """A file of the shared real-payload fixtures; skips the test where they are absent."""
    path = SHARED_FIXTURES / name
    if not path.exists():
        pytest.skip(
            f"shared fixtures not found at {SHARED_FIXTURES} (set RETURNS_SHARED_FIXTURES): "
            f"this test needs {name}"
        )
    return path


@pytest.fixture
def shared_fixture() -> Callable[[str], Path]:
    """The path of a shared real payload; the test skips where the folder is absent."""
    return shared_fixture_path


def shared_payload(name: str) -> Any:
    """A shared real JSON payload, parsed; the test skips where the folder is absent."""
    return json.loads(shared_fixture_path(name).read_text(encoding="utf-8"))


@pytest.fixture
def shared_json() -> Callable[[str], Any]:
    """:func:`shared_payload` as a fixture."""
    return shared_payload


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A new PostgreSQL database, migrated to head, dropped after the session."""
    name = f"returns_test_{uuid.uuid4().hex[:12]}"
    server = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def _claim(redis: Redis) -> bool:
    return bool(redis.set(CLAIM_KEY, os.getpid(), nx=True, ex=6 * 3600))


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A Redis database of this test run's own, so that runs side by side do not meet.

    The configured database is tried first, then the others of the same server; the run
    marks the one it takes with a key (kept across flushes) and frees it at the end.
    """
    parts = urlsplit(REDIS_SERVER_URL)
    first = int(parts.path.strip("/") or 0)
    for number in [first, *(n for n in range(16) if n != first)]:
        url = urlunsplit(parts._replace(path=f"/{number}"))
        redis = Redis.from_url(url)
        if _claim(redis):
            try:
                yield url
            finally:
                redis.flushdb()
            return
    pytest.exit("every Redis database of the test server is taken by other test runs", 3)


@pytest.fixture(scope="session")
def app(database_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The application on the test database and the test Redis database."""
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "REDIS_URL": redis_url,
            "SECRET_KEY": "test-secret",
            "SHOPIFY_WEBHOOK_SECRET": SHOPIFY_SECRET,
            "JOB_BACKOFF": 0.0,
            "UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads")),
            "PUBLIC_URL": "http://returns.test",
            # Partners stand in on loopback over plain http.
            "WEBHOOK_HTTP_HOSTS": "localhost,127.0.0.1",
        }
    )


def _truncate_all() -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(autouse=True)
def _clean_state(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test that uses the app starts from empty tables and an empty Redis database.

    No app context stays open during the test: like in production, each request and each
    job gets its own, with its own database session.
    """
    if "app" not in request.fixturenames:
        yield
        return
    app: Flask = request.getfixturevalue("app")
    redis = Redis.from_url(request.getfixturevalue("redis_url"))
    with app.app_context():
        _truncate_all()
    _flush_keeping_claim(redis)
    yield
    _flush_keeping_claim(redis)


def _flush_keeping_claim(redis: Redis) -> None:
    redis.flushdb()
    _claim(redis)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A database session of the test's own, for arranging and checking rows."""
    with Session(db.engine, expire_on_commit=False) as own:
        yield own


@pytest.fixture
def token_for(app: Flask) -> Callable[[Role], dict[str, str]]:
    """Make an API token with a role; returns the Authorization header for it."""

    def make(role: Role) -> dict[str, str]:
        with Session(db.engine) as own:
            _, plain = create_token(own, f"test-{role.value}", role, utcnow())
            own.commit()
        return {"Authorization": f"Bearer {plain}"}

    return make
