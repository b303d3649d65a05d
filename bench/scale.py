"""Flat as the shop grows: the same paths on a small shop and a big one, seeded with COPY.

Per size: opening an order, reading it, filing a return and the staff work list (open
cases, a search by e-mail, the closed history and a scanned RMA; medians of sequential
requests, in process, in five rounds taken in turn with the other size's), every SQL
statement they ran checked with EXPLAIN (no sequential scan of a big table), the numbers
page's queries over the last 30 days (the dashboard, promises kept, survey answers), and a
draft simulated over every past return line, streamed from PostgreSQL with the facts the
rules API reads.

    python -m bench.scale [--orders 1000000] [--small 10000] [--report-only]

The big shop has ``--orders`` orders of five lines (one shipment each) and a past return of
two lines on half of them: 1,000,000 orders give 5,000,000 lines and 1,000,000 return lines.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import create_engine, event, select

import rules
from bench.seed import (
    OrderBatch,
    email_of,
    empty_tables,
    reset_sequences,
    seed_orders,
    seed_returns,
)
from bench.simulation_db_bench import _draft
from bench.stack import own_redis_database, throwaway_database
from bench.workloads import SECRET_KEY, _return_body
from returns_service import create_app
from returns_service.cases.policy import CasePolicy
from returns_service.extensions import db
from returns_service.insight.satisfaction import case_numbers, satisfaction
from returns_service.metrics.dashboard import dashboard
from returns_service.models import utcnow
from returns_service.portal import tokens
from returns_service.returns.simulation import past_line_decisions
from rules.mentioned import facts_mentioned
from rules.simulation import MONEY_FACTS

SAMPLES = 25
#: Rounds of samples per size, taken in turn with the other size's.
ROUNDS = 5
MAX_GROWTH = 1.2
MAX_METRICS_SECONDS = 1.0
MAX_SIMULATION_SECONDS = 10.0
BIG_TABLES = (
    "customers",
    "orders",
    "order_lines",
    "shipments",
    "shipment_lines",
    "return_requests",
    "return_lines",
    "events",
)
_SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")
#: Below this many rows a sequential scan is the planner's right choice, not a missing index.
BIG_ROWS = 50_000


class Statements:
    """Every SQL statement the engine runs while recording, with its parameters."""

    def __init__(self, engine: Any) -> None:
        self.recording = False
        self.seen: dict[str, Any] = {}
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(
        self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        # One of many rows' parameters explains the statement as well as any: the first.
        if many and isinstance(parameters, list | tuple):
            parameters = parameters[0] if parameters else {}
        if self.recording and statement.lstrip().upper().startswith(("SELECT", "UPDATE", "WITH")):
            self.seen.setdefault(statement, parameters)


def _numbers_page(app: Any, now: datetime) -> None:
    """What the staff numbers page reads for the last 30 days: the dashboard, the promises
    kept and the survey answers."""
    since, policy = now - timedelta(days=30), CasePolicy.from_config(app.config)
    dashboard(db.session, since, now, now, app.config["TIMEZONE"])
    case_numbers(db.session, since, now, now)
    satisfaction(db.session, since, now, policy, now)


def _seq_scans(url: str, statements: dict[str, Any]) -> list[str]:
    """The statements whose plan reads a big table from end to end."""
    engine = create_engine(url)
    found = []
    raw = engine.raw_connection()
    try:
        with raw.driver_connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples >= %s",
                (BIG_ROWS,),
            )
            big = {name for (name,) in cursor.fetchall()} & set(BIG_TABLES)
            for statement, parameters in statements.items():
                cursor.execute("EXPLAIN " + statement, parameters)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                tables = [t for t in _SEQ_SCAN.findall(plan) if t in big]
                if tables:
                    found.append(f"{', '.join(tables)}: {' '.join(statement.split())[:160]}")
    finally:
        raw.close()
        engine.dispose()
    return found


def _timed_ms(run: Callable[[int], Any], indexes: range) -> list[float]:
    times = []
    for index in indexes:
        start = time.perf_counter()
        run(index)
        times.append((time.perf_counter() - start) * 1000)
    return times


def _checked(response: Any) -> Any:
    if response.status_code >= 400:
        raise RuntimeError(f"{response.status_code}: {response.get_data(as_text=True)[:300]}")
    return response


def _spread(batch: OrderBatch, count: int) -> list[int]:
    """``count`` orders of ``batch`` spread over it, newest and oldest alike."""
    step = max(1, batch.count // (count + 1))
    return [batch.first + i * step for i in range(count)]


@dataclass
class Shop:
    """A seeded shop of one size, and what its rounds measured."""

    orders: int
    url: str
    redis_url: str
    seeded: float
    #: Orders with a past return (opened and read) and without (returns filed on them),
    #: a different one for every sample of every round.
    old: list[int]
    fresh: list[int]
    fresh_lines: list[int]
    samples: dict[str, list[float]] = field(default_factory=dict)
    statements: dict[str, Any] = field(default_factory=dict)


@contextmanager
def seeded_shop(orders: int) -> Iterator[Shop]:
    """A shop of ``orders`` orders seeded in a throw-away database, dropped at the end."""
    with throwaway_database() as url, own_redis_database() as redis_url:
        now = utcnow()
        with_returns = OrderBatch(1, orders // 2)
        without = OrderBatch(orders // 2 + 1, orders - orders // 2)
        engine = create_engine(url)
        raw = engine.raw_connection()
        start = time.perf_counter()
        try:
            # Written frozen, as autovacuum leaves a shop's old rows: otherwise the measured
            # statements would be the first to read each page and rewrite it.
            empty_tables(raw.driver_connection)
            for batch in (with_returns, without):
                seed_orders(raw.driver_connection, batch, now - timedelta(days=1), frozen=True)
            seed_returns(raw.driver_connection, with_returns, now, frozen=True)
            reset_sequences(raw.driver_connection)
            raw.commit()
        finally:
            raw.close()
        # Fresh statistics, as autovacuum would gather them: the planner needs them.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")
        engine.dispose()
        fresh = _spread(without, SAMPLES * ROUNDS)
        yield Shop(
            orders=orders,
            url=url,
            redis_url=redis_url,
            seeded=time.perf_counter() - start,
            old=_spread(with_returns, SAMPLES * ROUNDS),
            fresh=fresh,
            fresh_lines=[without.line_ids(order_id)[1] for order_id in fresh],
        )


@contextmanager
def served(shop: Shop, *, recording: bool = True) -> Iterator[Any]:
    """The app on the shop's database, its statements recorded into the shop's (those
    :func:`_seq_scans` explains) unless ``recording`` is off."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": shop.url,
            "REDIS_URL": shop.redis_url,
            "SECRET_KEY": SECRET_KEY,
            "PORTAL_RATE_LIMIT": "1000000 per minute",
            "LOG_LEVEL": "WARNING",
        }
    )
    statements = Statements(db.engine)
    statements.seen = shop.statements
    statements.recording = recording
    try:
        yield app
    finally:
        statements.recording = False
        db.engine.dispose()


def measure_round(shop: Shop, number: int) -> None:
    """One round of samples of every path on ``shop``: its orders ``number``-th share."""
    indexes = range(number * SAMPLES, (number + 1) * SAMPLES)
    with served(shop) as app:
        client = app.test_client()

        def token(order_id: int) -> dict[str, str]:
            with app.app_context():
                return {"Authorization": f"Bearer {tokens.issue(order_id)}"}

        def open_order(i: int) -> Any:
            body = {"order_number": f"#{shop.old[i]}", "email": email_of(shop.old[i])}
            return _checked(client.post("/api/v1/portal/session", json=body))

        def read_order(i: int) -> Any:
            return _checked(client.get("/api/v1/portal/order", headers=token(shop.old[i])))

        def file_return(i: int) -> Any:
            body = _return_body(shop.fresh_lines[i])
            return _checked(client.post("/api/v1/returns", json=body, headers=token(shop.fresh[i])))

        found = {
            "open an order": _timed_ms(open_order, indexes),
            "read an order": _timed_ms(read_order, indexes),
            "file a return": _timed_ms(file_return, indexes),
            **_staff_work_list_ms(app, client, shop.old[0]),
        }
    for name, times in found.items():
        shop.samples.setdefault(name, []).extend(times)


def measure_once(shop: Shop) -> dict[str, Any]:
    """The numbers page, the plans of every statement seen and the simulation, once."""
    with served(shop) as app, app.app_context():
        now = utcnow()
        start = time.perf_counter()
        _numbers_page(app, now)
        metrics_seconds = time.perf_counter() - start
        db.session.remove()
    scans = _seq_scans(shop.url, shop.statements)
    with served(shop, recording=False) as app, app.app_context():
        compiled = rules.compile_rule_set(_draft())
        start = time.perf_counter()
        read = facts_mentioned(compiled.doc) | MONEY_FACTS  # as the rules API reads them
        report = rules.simulate(compiled, past_line_decisions(db.session, facts=read))
        simulation_seconds = time.perf_counter() - start
        db.session.remove()
    return {
        "orders": shop.orders,
        "seeded": shop.seeded,
        "figures": {name: statistics.median(times) for name, times in shop.samples.items()},
        "metrics": metrics_seconds,
        "scans": scans,
        "statements": len(shop.statements),
        "simulated": report.total,
        "simulation": simulation_seconds,
    }


def _staff_work_list_ms(app: Any, client: Any, order_id: int) -> dict[str, list[float]]:
    """The staff work list as staff use it: open cases, a search, the history, a scan."""
    from werkzeug.security import generate_password_hash

    from returns_service.auth.models import Role, StaffUser

    with app.app_context():
        if (
            db.session.scalar(select(StaffUser).where(StaffUser.email == "scale@example.jp"))
            is None
        ):
            db.session.add(
                StaffUser(
                    email="scale@example.jp",
                    role=Role.ADMIN,
                    password_hash=generate_password_hash("scale bench"),
                )
            )
            db.session.commit()
    page = client.get("/staff/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    client.post(
        "/staff/login", data={"csrf": csrf, "email": "scale@example.jp", "password": "scale bench"}
    )
    paths = {
        "staff work list": "/staff/",
        "work list search": f"/staff/?q={email_of(order_id)}",
        "work list history": "/staff/?status=completed&kind=return",
        "scan an RMA": f"/staff/scan?code=R-{order_id:08d}",
    }
    return {
        name: _timed_ms(lambda i, p=path: _checked(client.get(p)), range(SAMPLES))
        for name, path in paths.items()
    }


def main(argv: list[str] | None = None) -> int:
    """Measure both sizes, print them side by side; non-zero when a target is missed."""
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--report-only", action="store_true")
    args = parser.parse_args(argv)
    with seeded_shop(args.small) as small_shop, seeded_shop(args.orders) as big_shop:
        # Round by round, one size after the other: the machine's pace drifts over the
        # minutes between them, and both sizes see the same drift.
        for number in range(ROUNDS):
            for shop in (small_shop, big_shop):
                measure_round(shop, number)
        small, big = measure_once(small_shop), measure_once(big_shop)
    missed = []
    print(f"{'':22} {small['orders']:>12,} orders {big['orders']:>12,} orders   growth")
    for name, small_ms in small["figures"].items():
        big_ms = big["figures"][name]
        growth = big_ms / small_ms
        print(f"  {name:20} {small_ms:12.1f} ms    {big_ms:12.1f} ms   {growth:5.2f}x")
        if growth > MAX_GROWTH:
            missed.append(f"{name}: {growth:.2f}x slower at {big['orders']:,} orders")
    for size in (small, big):
        print(
            f"at {size['orders']:,} orders (seeded in {size['seeded']:.0f} s): numbers page "
            f"{size['metrics']:.2f} s; simulation of {size['simulated']:,} past lines "
            f"{size['simulation']:.2f} s; {size['statements']} statements explained, "
            f"{len(size['scans'])} with a sequential scan of a big table"
        )
        for scan in size["scans"]:
            print(f"    SEQ SCAN {scan}")
    if big["scans"]:
        missed.append(f"{len(big['scans'])} statements scan a big table")
    if big["metrics"] >= MAX_METRICS_SECONDS:
        missed.append(f"numbers page took {big['metrics']:.2f} s")
    if big["simulation"] >= MAX_SIMULATION_SECONDS:
        missed.append(f"simulation took {big['simulation']:.2f} s")
    for target in missed:
        print(f"TARGET MISSED: {target}")
    return 0 if args.report_only or not missed else 1


if __name__ == "__main__":
    sys.exit(main())
