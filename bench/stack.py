"""What a bench runs against: a throw-away PostgreSQL database, a Redis database of its own,
gunicorn servers and loopback partners (SMTP, a Stripe stand-in, a webhook receiver).

Every helper is a context manager that stops or drops what it started, also on failure.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests
from redis import Redis
from sqlalchemy import create_engine, make_url, text

from returns_service.migrate import upgrade
from returns_service.setting_values import normalise_database_url

ROOT = Path(__file__).resolve().parents[1]
SERVER_URL = normalise_database_url(
    os.environ.get("RETURNS_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
)
REDIS_SERVER_URL = os.environ.get("RETURNS_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
CLAIM_KEY = "returns-bench:claimed-by"
#: The key test runs mark their Redis database with (tests/conftest.py): set here too, so
#: that a test run started during a bench never takes the bench's database and flushes it.
TESTS_CLAIM_KEY = "returns-tests:claimed-by"
#: The gunicorn settings every served app gets, the yardstick included.
WORKERS = 2


def free_port() -> int:
    """A TCP port on loopback nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def throwaway_database(*, migrate: bool = True) -> Iterator[str]:
    """A new PostgreSQL database (migrated to head), dropped at the end."""
    name = f"returns_bench_{uuid.uuid4().hex[:10]}"
    server = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)
    try:
        if migrate:
            upgrade(url)
        yield url
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@contextmanager
def own_redis_database() -> Iterator[str]:
    """A Redis database no test run or other bench uses, flushed before and after."""
    base = REDIS_SERVER_URL.rsplit("/", 1)[0]
    first = int(REDIS_SERVER_URL.rsplit("/", 1)[1] or 0)
    # Downwards: test runs look upwards from 0 (after 15) for a database of their own.
    for number in [first, *(n for n in range(15, -1, -1) if n != first)]:
        url = f"{base}/{number}"
        redis = Redis.from_url(url)
        # A database holding any key is someone else's.
        if redis.dbsize() == 0 and redis.set(CLAIM_KEY, os.getpid(), nx=True, ex=3600):
            redis.set(TESTS_CLAIM_KEY, f"bench {os.getpid()}", ex=3600)
            try:
                yield url
            finally:
                redis.flushdb()
                redis.close()
            return
    raise RuntimeError("every Redis database is in use")


def python_env(extra: Mapping[str, str]) -> dict[str, str]:
    """The environment for a child process that imports this checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


@contextmanager
def process(args: list[str], env: Mapping[str, str], log_name: str) -> Iterator[subprocess.Popen]:
    """A child process in its own process group, its output kept in a log file.

    At the end it is asked to stop (SIGTERM), then killed with its group if it lingers.
    """
    log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"returns-bench-{log_name}.log"
    with open(log_path, "wb") as log:
        child = subprocess.Popen(
            args, env=python_env(env), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            yield child
        finally:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(child.pid, signal.SIGKILL)
                    child.wait()


@dataclass(frozen=True)
class Served:
    """A gunicorn server: its base URL and its master process."""

    url: str
    pid: int

    def _worker_ticks(self) -> int:
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()
        ticks = 0
        for child in children:
            try:
                fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            ticks += int(fields[11]) + int(fields[12])  # utime + stime
        return ticks

    def wait_until_idle(self, timeout: float = 120) -> None:
        """Wait until the workers stop using CPU: requests a load generator left in the
        backlog are still served after it stops, and would slow what is measured next."""
        deadline = time.monotonic() + timeout
        last = self._worker_ticks()
        while time.monotonic() < deadline:
            time.sleep(0.5)
            now = self._worker_ticks()
            if now - last <= 1:
                return
            last = now


@contextmanager
def gunicorn(app_spec: str, env: Mapping[str, str], name: str) -> Iterator[Served]:
    """Serve ``app_spec`` with 2 sync workers on loopback, once it answers."""
    port = free_port()
    args = [
        sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--worker-class", "sync",
        "--bind", f"127.0.0.1:{port}", "--backlog", "2048", "--log-level", "warning",
        app_spec,
    ]  # fmt: skip
    with process(args, env, name) as child:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            if child.poll() is not None:
                raise RuntimeError(f"{name} did not start; see returns-bench-{name}.log")
            try:
                requests.get(base + "/healthz", timeout=2)
                break
            except (requests.ConnectionError, requests.Timeout):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not answer within 60 s") from None
                time.sleep(0.2)
        yield Served(base, child.pid)


class _Partner(BaseHTTPRequestHandler):
    """A Stripe stand-in (``POST /v1/refunds``) and a webhook receiver (anything else)."""

    #: Keep-alive, as Stripe and most receivers offer: a worker may reuse its connection.
    protocol_version = "HTTP/1.1"
    #: Headers and body go out in two writes: without this, delayed ACKs add 40 ms to each.
    disable_nagle_algorithm = True
    counts: dict[str, int] = {}

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        key = "refunds" if self.path == "/v1/refunds" else "webhooks"
        self.counts[key] = self.counts.get(key, 0) + 1
        if key == "refunds":
            body = {"id": f"re_{uuid.uuid4().hex[:16]}", "object": "refund", "status": "succeeded"}
        else:
            body = {"ok": True}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the bench prints its own summary."""


@contextmanager
def loopback_partner() -> Iterator[str]:
    """An HTTP server on loopback answering refunds as Stripe does and taking webhooks."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Partner)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _Discard:
    """An SMTP handler that accepts every message and keeps none."""

    received = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        type(self).received += 1
        return "250 OK"


@contextmanager
def loopback_smtp() -> Iterator[int]:
    """A real SMTP server on loopback; yields its port."""
    from aiosmtpd.controller import Controller

    controller = Controller(_Discard(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()
