"""Load a server with ``wrk``: each request taken from a list prepared in advance, so that
every request can carry its own body and token; wrk is installed from Debian if missing."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

CONNECTIONS = 16
THREADS = 2

#: Each wrk thread walks its own share of the list (thread k takes k, k + THREADS, ...), so
#: that no request is sent twice unless the list runs out; ``done`` prints one JSON line.
_SCRIPT = """
local counter = 0
function setup(thread)
  thread:set("offset", counter)
  counter = counter + 1
end
function init(args)
  -- A list shorter than the threads is shared: every thread still has a first request.
  first = tonumber(offset) % #requests + 1
  index = first
  step = tonumber(args[1])
end
function request()
  local item = requests[index]
  index = index + step
  if index > #requests then index = first end
  return item
end
function done(summary, latency, requests_)
  io.write(string.format(
    'WRK {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "non2xx": %d, ' ..
    '"errors": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.status, summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout))
end
"""


@dataclass(frozen=True)
class Request:
    """One HTTP request as wrk will send it."""

    method: str
    path: str
    headers: dict[str, str]
    body: str = ""


@dataclass(frozen=True)
class Result:
    """What one load run measured."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    non2xx: int
    errors: int

    @property
    def rate(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds

    @staticmethod
    def pooled(results: Sequence[Result]) -> Result:
        """Several runs (at least one) taken as one: their requests over their seconds, the
        mean of their percentiles (the runs are of the same length and load)."""
        return Result(
            requests=sum(r.requests for r in results),
            seconds=sum(r.seconds for r in results),
            p50_ms=sum(r.p50_ms for r in results) / len(results),
            p99_ms=sum(r.p99_ms for r in results) / len(results),
            non2xx=sum(r.non2xx for r in results),
            errors=sum(r.errors for r in results),
        )


def ensure_wrk() -> str:
    """The path of ``wrk``, installing Debian's package when it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing: installing it with apt-get")
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk could not be installed; install Debian's wrk package")
    return found


def _lua_string(value: str) -> str:
    # A long bracket with enough '=' never ends early, whatever the text holds.
    level = "=" * 4
    while f"]{level}]" in value:
        level += "="
    return f"[{level}[{value}]{level}]"


def _lua_request(item: Request) -> str:
    headers = ", ".join(
        f"[ {_lua_string(name)} ] = {_lua_string(value)}" for name, value in item.headers.items()
    )
    body = _lua_string(item.body) if item.body else "nil"
    method, path = _lua_string(item.method), _lua_string(item.path)
    return f"wrk.format({method}, {path}, {{{headers}}}, {body})"


def load(base_url: str, items: Sequence[Request], seconds: float) -> Result:
    """Send ``items`` (in turn, over CONNECTIONS connections) for ``seconds``, whole seconds
    (wrk takes no fraction of one)."""
    if seconds < 1 or seconds != int(seconds):
        raise ValueError(f"wrk loads for whole seconds, not {seconds:g}")
    wrk = ensure_wrk()
    with tempfile.TemporaryDirectory(prefix="returns-bench-") as folder:
        script = Path(folder) / "requests.lua"
        lines = ["requests = {"] + [f"  {_lua_request(item)}," for item in items] + ["}"]
        script.write_text("\n".join(lines) + _SCRIPT, encoding="utf-8")
        completed = subprocess.run(
            [
                wrk,
                "-t",
                str(THREADS),
                "-c",
                str(CONNECTIONS),
                "-d",
                f"{seconds:g}s",
                "--timeout",
                "10s",
                "-s",
                str(script),
                base_url,
                "--",
                str(THREADS),
            ],  # fmt: skip
            capture_output=True,
            text=True,
            check=True,
        )
    line = next((x for x in completed.stdout.splitlines() if x.startswith("WRK ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{completed.stdout}\n{completed.stderr}")
    data = json.loads(line[4:])
    return Result(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        non2xx=data["non2xx"],
        errors=data["errors"],
    )
