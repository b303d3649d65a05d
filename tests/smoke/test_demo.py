"""The embedded demo starts on a fresh machine: SQLite, its own Redis, seeded, ready."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, token: str | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def _start(instance: Path, port: int) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RETURNS_")}
    env["RETURNS_INSTANCE_PATH"] = str(instance)
    return subprocess.Popen(
        [sys.executable, "-m", "returns_service", "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_ready(base: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read()
        try:
            if _get(f"{base}/readyz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError("the demo did not become ready within 60 s")


def _signed_in_as_demo_admin(base: str) -> urllib.request.OpenerDirector:
    """A browser-like client signed in to the staff pages with the demo's admin login."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    with opener.open(f"{base}/staff/login", timeout=5) as response:
        token = re.search(r'name="csrf" value="([^"]+)"', response.read().decode()).group(1)
    form = urllib.parse.urlencode(
        {"csrf": token, "email": "admin@demo.example", "password": "demo-password"}
    ).encode()
    with opener.open(f"{base}/staff/login", data=form, timeout=5) as response:
        assert "/staff/login" not in response.geturl()
    return opener


def _wait_for_refund_mail(base: str) -> None:
    """The seeded returns' jobs run in the demo's worker: a refund e-mail shows up."""
    staff = _signed_in_as_demo_admin(base)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with staff.open(f"{base}/staff/mail", timeout=5) as response:
            if "返金のお手続きが完了しました" in response.read().decode():
                return
        time.sleep(0.5)
    raise AssertionError("the demo's worker sent no refund e-mail within 60 s")


def _staff_pages_answer(base: str) -> None:
    """The work list, each case it links to, the reports and the rules open on the demo's
    own database (SQLite), as they do on PostgreSQL."""
    staff = _signed_in_as_demo_admin(base)
    with staff.open(f"{base}/staff/", timeout=5) as response:
        work_list = response.read().decode()
    cases = sorted(
        set(re.findall(r'href="(/staff/(?:returns|cancellations|subscriptions)/[^"]+)"', work_list))
    )
    assert len(cases) >= 4, work_list  # a case of each kind waits for the staff
    # Ranked as they were seeded: the wrong item first, urgent, then the rest.
    priorities = re.findall(r'data-priority="(\w+)"', work_list)
    assert priorities[0] == "urgent" and priorities == sorted(
        priorities, key=["urgent", "high", "normal"].index
    ), priorities
    for path in [*cases, "/staff/numbers", "/staff/numbers?period=365", "/staff/rules"]:
        with staff.open(f"{base}{path}", timeout=10) as response:
            assert response.status == 200, path


def _stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=30)
    return output


def test_demo_starts_seeded_answers_ready_and_stops_cleanly(tmp_path: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    process = _start(tmp_path, port)
    try:
        _wait_ready(base, process)
        status, body = _get(f"{base}/readyz")
        assert (status, body["status"]) == (200, "ready")
        assert _get(f"{base}/healthz") == (200, {"status": "ok"})
        _wait_for_refund_mail(base)
        _staff_pages_answer(base)
    finally:
        output = _stop(process)
    assert process.returncode == 0, output
    assert "Demo shop seeded" in output
    addresses = [line.split()[-1] for line in output.splitlines() if f"{base}/" in line]
    assert len(addresses) == len(set(addresses)), output  # each page named once
    assert f"{base}/" in addresses and f"{base}/staff/" in addresses
    assert "Try a cancellation: order #1001 with" in output
    # The first packed order waits for the staff; the customer tries the next one.
    assert re.search(r"A cancellation the warehouse must stop: order #10\d\d with", output)
    assert "A cancellation the warehouse must stop: order #1004 with" not in output
    assert "A subscription with save offers: order #2001 with" in output
    token = next(line.split()[-1] for line in output.splitlines() if "Admin API token" in line)
    assert token.startswith("rsk_")
    assert (tmp_path / "returns.db").exists()
    assert not (tmp_path / "embedded-redis.json").exists()  # its Redis was stopped

    process = _start(tmp_path, port)  # a second run reuses the data
    try:
        _wait_ready(base, process)
        status, _ = _get(f"{base}/api/v1/orders/demo-1001", token=token)
        assert status == 401  # the first run's token was revoked
    finally:
        output = _stop(process)
    assert "Demo shop reused" in output
