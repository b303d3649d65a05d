"""The test set-up never flushes a Redis database holding data it did not create."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis

from tests.conftest import CLAIM_KEY, RedisTaken, claim_redis, flush_if_mine


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[Redis]:
    """A Redis server of this test's own, on a free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
    )
    redis = Redis(host="127.0.0.1", port=port)
    try:
        for _ in range(100):
            try:
                redis.ping()
                break
            except Exception:
                time.sleep(0.05)
        yield redis
    finally:
        server.terminate()
        server.wait(10)


def test_a_database_holding_other_data_is_refused_and_kept(own_redis: Redis) -> None:
    own_redis.set("someone-elses:session", "precious")
    with pytest.raises(RedisTaken, match="did not create"):
        claim_redis(own_redis, "run-a")
    assert own_redis.get("someone-elses:session") == b"precious"
    assert own_redis.get(CLAIM_KEY) is None


def test_a_database_marked_by_a_live_run_is_refused_and_kept(own_redis: Redis) -> None:
    claim_redis(own_redis, "run-a")
    own_redis.set("run-a:key", "1")
    with pytest.raises(RedisTaken, match="another test run"):
        claim_redis(own_redis, "run-b")
    with pytest.raises(RedisTaken, match="no longer marked"):
        flush_if_mine(own_redis, "run-b")
    assert own_redis.get("run-a:key") == b"1"


def test_the_run_flushes_its_own_database_and_keeps_its_mark(own_redis: Redis) -> None:
    claim_redis(own_redis, "run-a")
    own_redis.set("run-a:key", "1")
    flush_if_mine(own_redis, "run-a")
    assert own_redis.keys("*") == [CLAIM_KEY.encode()]


def test_a_mark_left_by_a_dead_run_of_this_host_is_taken_over(own_redis: Redis) -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    own_redis.set(CLAIM_KEY, f"{socket.gethostname()}:{dead.pid}:run-old")
    own_redis.set("run-old:key", "1")
    claim_redis(own_redis, "run-new")
    assert own_redis.get(CLAIM_KEY).decode().endswith(":run-new")
    assert own_redis.get("run-old:key") is None
