"""Test fixtures: a throw-away PostgreSQL database built by the migrations, the Redis
database the run was given (taken only empty, flushed only while marked as the run's), the
app, its clients, and tokens for each role."""

from __future__ import annotations

import json
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from returns_service import create_app, use_shop_settings
from returns_service.auth import staff_directory
from returns_service.auth.models import Role
from returns_service.auth.tokens import create_token, recent_checks
from returns_service.cases import rank_basis
from returns_service.catalogues import compile_catalogues
from returns_service.extensions import db
from returns_service.migrate import upgrade
from returns_service.models import Base, utcnow
from returns_service.notifications import webhooks
from returns_service.setting_values import normalise_database_url
from returns_service.worker import prepare_process

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
SANDBOX_CARRIER_SECRET = "test-sandbox-carrier-secret"


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


class RedisTaken(RuntimeError):
    """The test Redis database holds data this run did not create."""


def claim_redis(redis: Redis, run_id: str) -> None:
    """Mark the database as this run's; refuse one that holds anything else.

    A database is taken only empty (or marked by a run that has ended on this host): a
    test run never flushes data it did not create.
    """
    mine = f"{socket.gethostname()}:{os.getpid()}:{run_id}"
    if redis.set(CLAIM_KEY, mine, nx=True, ex=6 * 3600):
        if redis.dbsize() == 1:
            return
        redis.delete(CLAIM_KEY)
        raise RedisTaken(f"{_describe(redis)} holds data this test run did not create")
    holder = (redis.get(CLAIM_KEY) or b"").decode()
    if not _ended(holder):
        raise RedisTaken(f"{_describe(redis)} is in use by another test run ({holder})")
    # Marked by a run of this host that died before cleaning up: its keys are test keys.
    redis.flushdb()
    claim_redis(redis, run_id)


def _ended(holder: str) -> bool:
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def flush_if_mine(redis: Redis, run_id: str) -> None:
    """Empty the database, only while it carries this run's mark; keep the mark."""
    holder = (redis.get(CLAIM_KEY) or b"").decode()
    if not holder.endswith(f":{run_id}"):
        raise RedisTaken(f"{_describe(redis)} is no longer marked by this test run")
    redis.flushdb()
    redis.set(CLAIM_KEY, holder, ex=6 * 3600)


def _describe(redis: Redis) -> str:
    kwargs = redis.connection_pool.connection_kwargs
    return (
        f"Redis database {kwargs.get('db', 0)} at {kwargs.get('host')}:{kwargs.get('port')} "
        "(set RETURNS_TEST_REDIS_URL to an empty database)"
    )


@pytest.fixture(scope="session", autouse=True)
def _catalogues() -> None:
    """Compile the translations as `make` does, so a run of pytest alone reads both languages."""
    compile_catalogues()


@pytest.fixture(scope="session")
def redis_run_id() -> str:
    """This test run's mark on its Redis database."""
    return uuid.uuid4().hex


@pytest.fixture(scope="session")
def redis_url(redis_run_id: str) -> Iterator[str]:
    """The Redis database given by ``RETURNS_TEST_REDIS_URL``, marked as this run's.

    Only that database is used, only if it is empty, and it is flushed only while it
    carries this run's mark; the mark is removed at the end.
    """
    redis = Redis.from_url(REDIS_SERVER_URL)
    try:
        claim_redis(redis, redis_run_id)
    except RedisTaken as exc:
        pytest.exit(str(exc), 3)
    try:
        yield REDIS_SERVER_URL
    finally:
        flush_if_mine(redis, redis_run_id)
        redis.delete(CLAIM_KEY)


@pytest.fixture(scope="session")
def app(
    database_url: str, redis_url: str, redis_run_id: str, tmp_path_factory: pytest.TempPathFactory
) -> Flask:
    """The application on the test database and the test Redis database.

    It is also the tests' worker: the worker's setup, which empties the engine's pool, is
    done here, as a worker process does it before its first job. Done at the first
    ``work_burst`` instead, it would drop a connection a test's own session still held,
    which then stayed open, out of any pool, until the garbage collector found it.
    """
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "REDIS_URL": redis_url,
            "REDIS_KEY_PREFIX": f"test-{redis_run_id[:8]}:",
            "SECRET_KEY": "test-secret",
            "SHOPIFY_WEBHOOK_SECRET": SHOPIFY_SECRET,
            "SANDBOX_CARRIER_SECRET": SANDBOX_CARRIER_SECRET,
            "JOB_BACKOFF": 0.0,
            "UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads")),
            "PUBLIC_URL": "http://returns.test",
            # Partners stand in on loopback over plain http.
            "WEBHOOK_HTTP_HOSTS": "localhost,127.0.0.1",
        }
    )
    with app.app_context():
        prepare_process()
    return app


def _truncate_all() -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(autouse=True)
def _clean_state(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test that uses the app starts from empty tables, an empty Redis database, and no
    API token, staff member or kept ranks' mapping trusted from an earlier test.

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
    recent_checks.clear()
    staff_directory.forget()
    webhooks.forget_endpoints()
    rank_basis.confirmed.clear()
    run_id = request.getfixturevalue("redis_run_id")
    flush_if_mine(redis, run_id)
    yield
    flush_if_mine(redis, run_id)


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app served over real HTTP on loopback by a threaded server; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)


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


@pytest.fixture
def configure(app: Flask) -> Iterator[Callable[..., None]]:
    """Change settings for one test; they are put back afterwards."""
    saved: dict[str, Any] = {}

    def change(**values: Any) -> None:
        for key in values:
            saved.setdefault(key, app.config[key])
        app.config.update(values)
        use_shop_settings(app)

    yield change
    app.config.update(saved)
    use_shop_settings(app)
