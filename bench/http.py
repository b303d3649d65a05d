"""The service's hot paths over HTTP against a bare Flask + SQLAlchemy insert, in one run.

Both are served by gunicorn with the same settings on the same PostgreSQL server and
loaded with the same generator (wrk, 16 connections); then the job pipeline drains what
the paths left. Prints req/s, p50, p99 and the ratio to the yardstick for each path, and
exits non-zero when a target is missed (``--report-only`` never fails).

    python -m bench.http [--seconds 15] [--report-only]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass

from sqlalchemy import create_engine

from bench import pipeline, processors
from bench.bare_app import metadata
from bench.stack import (
    Served,
    gunicorn,
    loopback_partner,
    loopback_smtp,
    own_redis_database,
    throwaway_database,
)
from bench.workloads import SECRET_KEY, SHOPIFY_SECRET, Shop
from bench.wrk import Request, Result, ensure_wrk, load

#: An upper bound on what a path can serve per second, to prepare enough fresh requests
#: (``PUT`` of a new order did 452 a second on a machine where the yardstick did 1,300).
MAX_RATE = 1000
#: Each path is loaded this long before it is measured: its first requests compile its
#: templates and statements in each worker (a staff page's first took 100 ms), which a
#: busy hour's warm workers have long done.
WARM_UP_SECONDS = 1
WARM_UP_REQUESTS = math.ceil(WARM_UP_SECONDS * MAX_RATE)
#: Each path is measured in this many loads, each between two loads of the yardstick as
#: long. A shared machine's pace moves within minutes (the yardstick alone did 320-692
#: req/s in loads minutes apart, docs/performance.md), so a path and its yardstick are
#: taken in turn, close together, rather than each in one stretch.
SLICES = 3


def load_seconds(seconds: float) -> int:
    """How long each of a path's loads lasts: at least a :data:`SLICES`-th of its
    ``--seconds``, in whole seconds (all wrk takes)."""
    return max(1, math.ceil(seconds / SLICES))


def prepared_per_path(each: int) -> int:
    """How many requests a path of fresh ones needs for its warm-up and its loads of
    ``each`` seconds at :data:`MAX_RATE`."""
    return WARM_UP_REQUESTS + SLICES * each * MAX_RATE


@dataclass(frozen=True)
class Path:
    """A measured path: its name, its request list, and its target as a share of bare."""

    name: str
    requests: Callable[[Shop], list[Request] | None]
    min_ratio: float | None = None
    max_p99_ratio: float | None = None
    #: Each request must be new (a return per fresh order, a new order): one sent again
    #: would be measured on another path (a repeated filing refused, an order updated).
    fresh: bool = False


#: A load's result and how busy the machine's processors were meanwhile.
Load = tuple[Result, float | None]


#: In this order: the staff pages before the paths that file and cancel, so that the work
#: list ranks the seeded open cases (``workloads.OPEN_CASES``) in every run, not as many as
#: that run's filing managed.
PATHS = (
    Path("staff return page", Shop.staff_return_page, 0.5),
    Path("staff work list", Shop.staff_queue_page, 0.5),
    Path("file a return", Shop.file_returns, 0.3, 3.0, fresh=True),
    Path("PUT an order", Shop.put_orders, 0.4, fresh=True),
    Path("portal order read", Shop.read_orders, 0.8),
    Path("cancel an order", Shop.cancel_orders, fresh=True),
    Path("Shopify order webhook", Shop.shopify_webhooks, fresh=True),
)
#: The pipeline's targets: per worker against RQ no-op, and two workers against one.
MIN_PIPELINE_RATIO = 0.5
MIN_TWO_WORKER_SPEEDUP = 1.7


def service_env(
    database_url: str, redis_url: str, smtp_port: int, partner: str, instance: str
) -> dict:
    """The service's settings for the bench: loopback partners, no rate limit in the way."""
    return {
        "RETURNS_DATABASE_URL": database_url,
        "RETURNS_REDIS_URL": redis_url,
        "RETURNS_SECRET_KEY": SECRET_KEY,
        "RETURNS_INSTANCE_PATH": instance,
        "RETURNS_SHOPIFY_WEBHOOK_SECRET": SHOPIFY_SECRET,
        "RETURNS_SMTP_HOST": "127.0.0.1",
        "RETURNS_SMTP_PORT": str(smtp_port),
        "RETURNS_STRIPE_API_BASE": partner,
        "RETURNS_STRIPE_API_KEY": "sk_test_bench",
        "RETURNS_PORTAL_RATE_LIMIT": "1000000 per minute",
        # The webhook receiver is on loopback over plain http, refused unless allowed.
        "RETURNS_WEBHOOK_HTTP_HOSTS": "127.0.0.1",
        "RETURNS_LOG_LEVEL": "WARNING",
    }


def _busy(share: float | None) -> str:
    return "   ?" if share is None else f"{share:4.0%}"


def _cpu_ms(busy: float | None, rate: float) -> str:
    spent = processors.processor_ms_per_request(busy, rate, os.cpu_count())
    return "   ?" if spent is None else f"{spent:4.1f}"


def _row(
    name: str,
    result: Result,
    bare: Result,
    busy: float | None,
    bare_busy: float | None,
    spread: tuple[float, float],
) -> str:
    ratio = f"{result.rate / bare.rate:5.2f}x ({spread[0]:.2f}-{spread[1]:.2f})"
    p99 = f"p99 {result.p99_ms / bare.p99_ms:4.1f}x"
    failed = f"  ({result.non2xx} non-2xx, {result.errors} errors)" if result.non2xx else ""
    return (
        f"  {name:24} {result.rate:8.1f} req/s  p50 {result.p50_ms:7.1f} ms  "
        f"p99 {result.p99_ms:7.1f} ms  {ratio} {p99}   "
        f"(bare {bare.rate:6.1f} req/s, p99 {bare.p99_ms:5.1f} ms)  "
        f"busy {_busy(busy)} / {_busy(bare_busy)}  "
        f"cpu {_cpu_ms(busy, result.rate)} / {_cpu_ms(bare_busy, bare.rate)} ms{failed}"
    )


def _load(url: str, items: list[Request], seconds: int) -> Load:
    """A load's result and how busy the machine's processors were meanwhile: a path that
    leaves them idle waits (round trips, locks); one that fills them costs processor time."""
    before = processors.cpu_sample()
    result = load(url, items, seconds)
    after = processors.cpu_sample()
    if before is None or after is None:
        return result, None
    return result, processors.busy_between([before, after], before.at, after.at)


def _sent_and_answered(name: str, fresh: bool, result: Result, prepared: int) -> list[str]:
    """What went wrong with a load's requests: fresh ones sent again, answers not 2xx."""
    missed = []
    if fresh and result.requests > prepared:
        missed.append(
            f"{name}: {result.requests} requests sent, {prepared} prepared "
            "(some were sent again): raise MAX_RATE"
        )
    if result.non2xx or result.errors:
        missed.append(f"{name}: {result.non2xx} non-2xx answers, {result.errors} errors")
    return missed


def _check(path: Path, result: Result, bare: Result) -> list[str]:
    missed = []
    if path.min_ratio is not None and result.rate / bare.rate < path.min_ratio:
        missed.append(f"{path.name}: {result.rate / bare.rate:.2f}x bare < {path.min_ratio}x")
    if path.max_p99_ratio is not None and result.p99_ms / bare.p99_ms > path.max_p99_ratio:
        missed.append(
            f"{path.name}: p99 {result.p99_ms / bare.p99_ms:.1f}x bare > {path.max_p99_ratio}x"
        )
    return missed


def warm_up_and_measured(path: Path, items: list[Request]) -> tuple[list[Request], list[Request]]:
    """The requests that warm a path up and those it is measured with: apart for a path
    of fresh requests, so that none is sent twice."""
    if not path.fresh:
        return items, items
    return items[:WARM_UP_REQUESTS], items[WARM_UP_REQUESTS:]


def sliced(path: Path, measured: list[Request]) -> list[list[Request]]:
    """The requests of each of a path's :data:`SLICES` loads: a share of the fresh ones
    each, so that none is sent twice; the same list each time for the others."""
    if not path.fresh:
        return [measured] * SLICES
    size = len(measured) // SLICES
    return [measured[n * size : (n + 1) * size] for n in range(SLICES)]


def _measure_paths(
    shop: Shop, server: Served, bare_server: Served, each: int, paths: tuple[Path, ...]
) -> list[str]:
    """Each path in :data:`SLICES` loads of ``each`` seconds, each between two loads of the
    yardstick as long, its ratio to the yardstick's loads beside its own (see
    :func:`compared`). The yardstick's last load for one path is the first for the next;
    every path's requests are prepared beforehand, so that only its warm-up stands between
    that load and the path's first."""
    missed = []
    prepared = {path: path.requests(shop) for path in paths}
    yardstick: Load | None = None
    for path, items in prepared.items():
        if items is None:
            print(f"  {path.name:24} skipped: its fixture payload is not there")
            continue
        if yardstick is None:
            yardstick = _load_bare(bare_server, shop, each)
        warm_up, measured = warm_up_and_measured(path, items)
        warmed = load(server.url, warm_up, WARM_UP_SECONDS)
        server.wait_until_idle()
        missed += _sent_and_answered(f"{path.name} (warm-up)", path.fresh, warmed, len(warm_up))
        loads: list[Load] = []
        yardsticks = [yardstick]
        for n, part in enumerate(sliced(path, measured), start=1):
            loads.append(_load(server.url, part, each))
            server.wait_until_idle()
            name = f"{path.name} (load {n} of {SLICES})"
            missed += _sent_and_answered(name, path.fresh, loads[-1][0], len(part))
            yardsticks.append(_load_bare(bare_server, shop, each))
        (result, busy), (bare, bare_busy), spread = compared(loads, yardsticks)
        print(_row(path.name, result, bare, busy, bare_busy, spread), flush=True)
        missed += _check(path, result, bare)
        yardstick = yardsticks[-1]
    return missed


def _load_bare(bare_server: Served, shop: Shop, seconds: int) -> Load:
    loaded = _load(bare_server.url, shop.bare_inserts(), seconds)
    bare_server.wait_until_idle()
    return loaded


def pooled(loads: list[Load]) -> Load:
    """Loads of the same length taken as one (at least one), with how busy the processors
    were on the whole (unknown where any is)."""
    known = [busy for _, busy in loads if busy is not None]
    busy = sum(known) / len(known) if len(known) == len(loads) else None
    return Result.pooled([result for result, _ in loads]), busy


def compared(loads: list[Load], yardsticks: list[Load]) -> tuple[Load, Load, tuple[float, float]]:
    """A path's loads taken as one; the yardstick's, each of the path's loads taking the
    two beside it (so the first and last count once and those between twice, and the
    path's ratio lies between its loads'); and the lowest and highest ratio of one of the
    path's loads to the two beside it: how far the path's ratio moved between its loads."""
    pairs = [[before, after] for before, after in zip(yardsticks[:-1], yardsticks[1:], strict=True)]
    ratios = [
        result.rate / pooled(pair)[0].rate for (result, _), pair in zip(loads, pairs, strict=True)
    ]
    beside = [yardstick for pair in pairs for yardstick in pair]
    return pooled(loads), pooled(beside), (min(ratios), max(ratios))


def _measure_pipeline(database_url: str, redis_url: str, env: dict) -> list[str]:
    waiting = pipeline.take_waiting_jobs(redis_url)
    if len(waiting) < 20:
        return [f"pipeline: only {len(waiting)} RQ jobs were left to drain"]
    # Every other job to each drain: the queue holds each path's jobs in a run (filing's
    # first, the webhooks' last), and both drains must get the same mix of work.
    one = pipeline.drain_outbox(redis_url, env, 1, waiting[0::2])
    two = pipeline.drain_outbox(redis_url, env, 2, waiting[1::2])
    noop_one = pipeline.drain_noop(redis_url, env, 1, one.jobs)
    noop_two = pipeline.drain_noop(redis_url, env, 2, two.jobs)
    failures = pipeline.outbox_failures(database_url)
    per_worker = one.rate / noop_one.rate
    speedup = two.rate / one.rate
    print(
        f"job pipeline ({one.jobs + two.jobs:,} outbox messages in {len(waiting):,} RQ jobs, "
        f"{failures} did not succeed)"
    )
    print(
        f"  outbox, 1 worker   {one.rate:8.1f} jobs/s   RQ no-op {noop_one.rate:8.1f} jobs/s"
        f"   processors busy {_busy(one.cpu_busy)} / {_busy(noop_one.cpu_busy)}"
    )
    print(
        f"  outbox, 2 workers  {two.rate:8.1f} jobs/s   RQ no-op {noop_two.rate:8.1f} jobs/s"
        f"   processors busy {_busy(two.cpu_busy)} / {_busy(noop_two.cpu_busy)}"
    )
    print(f"  per worker vs no-op {per_worker:5.2f}x   two workers vs one {speedup:5.2f}x")
    missed = []
    if failures:
        missed.append(f"pipeline: {failures} outbox messages did not succeed")
    if per_worker < MIN_PIPELINE_RATIO:
        missed.append(f"pipeline: {per_worker:.2f}x RQ no-op < {MIN_PIPELINE_RATIO}x")
    if speedup < MIN_TWO_WORKER_SPEEDUP:
        missed.append(f"pipeline: two workers {speedup:.2f}x one < {MIN_TWO_WORKER_SPEEDUP}x")
    return missed


def run(seconds: float, only: list[str] | None = None) -> list[str]:
    """Run every measurement (``only``: these paths, and no pipeline); returns the targets
    missed."""
    ensure_wrk()
    each = load_seconds(seconds)
    per_path = prepared_per_path(each)
    with ExitStack() as stack:
        database_url = stack.enter_context(throwaway_database())
        redis_url = stack.enter_context(own_redis_database())
        smtp_port = stack.enter_context(loopback_smtp())
        partner = stack.enter_context(loopback_partner())
        engine = create_engine(database_url)
        metadata.create_all(engine)
        engine.dispose()
        shop = Shop(database_url, redis_url, per_path)
        shop.seed()
        instance = stack.enter_context(tempfile.TemporaryDirectory(prefix="returns-bench-"))
        env = service_env(database_url, redis_url, smtp_port, partner, instance)
        print(f"{SLICES} loads of {each} s per path, 16 connections, gunicorn with 2 sync workers")
        print(
            f"each path warmed up for {WARM_UP_SECONDS:g} s, then measured in its loads, "
            "each between two loads of the bare insert (the yardstick) as long; its ratio is "
            "to the yardstick's loads beside its own (in brackets: its lowest and highest "
            "load's)"
        )
        bare_env = {"BARE_DATABASE_URL": database_url}
        with (
            gunicorn("bench.bare_app:create_app()", bare_env, "bare") as bare_server,
            gunicorn("wsgi:app", env, "service") as server,
        ):
            load(bare_server.url, shop.bare_inserts(), 1)  # warm up both workers
            bare_server.wait_until_idle()
            shop.prepare(server.url, partner)
            load(server.url, shop.read_orders(), 1)
            server.wait_until_idle()
            paths = tuple(path for path in PATHS if not only or path.name in only)
            missed = _measure_paths(shop, server, bare_server, each, paths)
        if not only:
            missed += _measure_pipeline(database_url, redis_url, env)
    return missed


def main(argv: list[str] | None = None) -> int:
    """Parse the flags, run, print the targets missed; the exit status says if any were."""
    parser = argparse.ArgumentParser(prog="python -m bench.http", description=__doc__)
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 5)))
    parser.add_argument("--report-only", action="store_true", help="never exit non-zero")
    parser.add_argument(
        "--only", action="append", choices=[path.name for path in PATHS], help="this path only"
    )
    args = parser.parse_args(argv)
    missed = run(args.seconds, args.only)
    for target in missed:
        print(f"TARGET MISSED: {target}")
    return 0 if args.report_only or not missed else 1


if __name__ == "__main__":
    sys.exit(main())
