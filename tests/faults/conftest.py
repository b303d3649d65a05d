"""Faults on real processes: workers and a web server started as the service's own command,
a TCP proxy between them and PostgreSQL that the test cuts, a Redis server the test stops.

Every wait polls with a deadline; nothing sleeps to let time pass.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import requests
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import make_url

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")


def wait_for(check: Callable[[], T], timeout: float, what: str, every: float = 0.1) -> T:
    """Poll ``check`` until it returns something truthy; fail naming ``what`` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"waited {timeout:.0f} s for {what}")
        time.sleep(every)


def free_port() -> int:
    """A TCP port on loopback nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class TcpProxy:
    """Forwards a loopback port to a target; :meth:`cut` drops every connection and refuses
    new ones (the database host went away), :meth:`restore` listens again on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self.restore()

    def restore(self) -> None:
        """Accept connections again."""
        listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        listener.settimeout(0.2)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        """Close every connection and the listening socket: connecting is refused."""
        with self._lock:
            listener, self._listener = self._listener, None
            if listener is not None:
                listener.close()
            for sock in self._sockets:
                _close(sock)
            self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _close(client)
                continue
            upstream.settimeout(None)
            client.settimeout(None)
            with self._lock:
                if self._listener is not listener:
                    _close(client)
                    _close(upstream)
                    return
                self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        _close(source)
        _close(sink)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


class RedisServer:
    """A Redis server of the test's own on a free port, without persistence."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start it and wait until it answers."""
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = Redis.from_url(self.url, socket_connect_timeout=0.5)
        wait_for(lambda: _pings(client), 10, "the test's Redis server to answer")

    def stop(self) -> None:
        """Stop it (its data goes with it)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


def _pings(client: Redis) -> bool:
    try:
        return bool(client.ping())
    except RedisError:
        return False


class Processes:
    """Service processes started by a test, each killed at the end; their output is kept."""

    def __init__(self, directory: Path, database_url: str, redis_url: str) -> None:
        self.directory = directory
        self.database_url = database_url
        self.redis_url = redis_url
        self.started: list[tuple[subprocess.Popen[bytes], Path]] = []

    def environment(self, **settings: Any) -> dict[str, str]:
        """The environment of a service process: ``RETURNS_*`` from the test's settings."""
        env = {key: value for key, value in os.environ.items() if not key.startswith("RETURNS_")}
        values = {
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "SECRET_KEY": "test-secret",
            "INSTANCE_PATH": str(self.directory / "instance"),
            "PUBLIC_URL": "http://returns.test",
            "LOG_LEVEL": "INFO",
            **settings,
        }
        env.update({f"RETURNS_{key}": str(value) for key, value in values.items()})
        env["PYTHONUNBUFFERED"] = "1"
        return env

    def start(self, *args: str, **settings: Any) -> subprocess.Popen[bytes]:
        """Run ``python -m returns_service ARGS`` from this worktree."""
        log = self.directory / f"process-{len(self.started)}-{args[0]}.log"
        with log.open("wb") as output:  # the child keeps its own copy of the descriptor
            process = subprocess.Popen(
                [sys.executable, "-m", "returns_service", *args],
                cwd=ROOT,
                env=self.environment(**settings),
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self.started.append((process, log))
        return process

    def web(self, **settings: Any) -> str:
        """Start the web server and return its base URL once it answers."""
        port = free_port()
        self.start("run", "--host", "127.0.0.1", "--port", str(port), **settings)
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: _answers(url + "/healthz"), 30, "the web server to start")
        return url

    def output(self) -> str:
        """Everything the processes wrote, for a failing test's report."""
        return "\n".join(
            f"== {log.name}\n{log.read_text(errors='replace')}" for _, log in self.started
        )

    def stop_all(self) -> None:
        """Stop every process still running: SIGTERM, then SIGKILL."""
        for process, _ in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process, _ in self.started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).status_code == 200
    except requests.RequestException:
        return False


def proxied(database_url: str, proxy: TcpProxy) -> str:
    """The database URL reaching PostgreSQL through the proxy."""
    url = make_url(database_url).set(host="127.0.0.1", port=proxy.port)
    return url.render_as_string(hide_password=False)


@pytest.fixture
def processes(
    database_url: str, redis_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Processes]:
    """Start service processes; they are stopped, and their output shown on failure."""
    running = Processes(tmp_path, database_url, redis_url)
    try:
        yield running
    finally:
        running.stop_all()
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            print(running.output())


@pytest.fixture
def database_proxy(database_url: str) -> Iterator[TcpProxy]:
    """A TCP proxy in front of the test database's PostgreSQL."""
    url = make_url(database_url)
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    try:
        yield proxy
    finally:
        proxy.cut()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis server of the test's own, started; stopped at the end."""
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the test item, so fixtures can tell a failure."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
