"""The hot paths in process: Flask's test client, one request after another, counting the
statements each request sends and timing it (wall, and the processor time spent by this
process and by PostgreSQL's: on a shared machine those are the steadier figures, and a
loaded server's throughput is bounded by their sum); ``--profile PATH`` prints where one
path's time goes (cProfile, cumulative) and the statements of its last request.

    python -m bench.inprocess [--requests 40] [--profile "file a return"]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from flask import Flask
from sqlalchemy import event

from bench.processors import postgres_cpu_seconds
from bench.stack import own_redis_database, throwaway_database
from bench.workloads import STAFF_EMAIL, STAFF_PASSWORD, Shop, _return_body
from bench.wrk import Request
from returns_service.extensions import db


def health_check(shop: Shop) -> list[Request]:
    """The floor: no credentials, no database; what Flask and our hooks cost alone."""
    return [Request("GET", "/healthz", {})]


def token_read(shop: Shop) -> list[Request]:
    """The cheapest call with an API token (the empty list of webhook endpoints): what
    every API request pays around its use case."""
    return [Request("GET", "/api/v1/webhooks/endpoints", {"Authorization": f"Bearer {shop.admin}"})]


#: In the HTTP bench's order: the staff pages before filing adds open cases to the list.
PATHS = {
    "health check": health_check,
    "API read with a token": token_read,
    "staff return page": Shop.staff_return_page,
    "staff work list": Shop.staff_queue_page,
    "file a return": Shop.file_returns,
    "PUT an order": Shop.put_orders,
    "portal order read": Shop.read_orders,
    "cancel an order": Shop.cancel_orders,
}


@contextmanager
def counted_statements(app: Flask) -> Iterator[list[str]]:
    """Every statement the app's engine sends while the block runs."""
    sent: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        sent.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _prepare(shop: Shop) -> None:
    """In process what :meth:`Shop.prepare` does over HTTP: a staff sign-in and one return."""
    client = shop.app.test_client()
    form = client.get("/staff/login").get_data(as_text=True)
    csrf = form.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    signed_in = {"csrf": csrf, "email": STAFF_EMAIL, "password": STAFF_PASSWORD}
    client.post("/staff/login", data=signed_in)
    shop.client = client
    order_id = shop.reading.first
    filed = client.post(
        "/api/v1/returns",
        json=_return_body(shop.reading.line_ids(order_id)[2]),
        headers={"Authorization": f"Bearer {shop.customer_token(order_id)}"},
    )
    assert filed.status_code == 201, filed.get_data(as_text=True)
    shop.rma = filed.get_json()["rma"]
    shop.cookie = ""


def _send(shop: Shop, item: Request) -> int:
    headers = {k: v for k, v in item.headers.items() if k != "Cookie"}
    client = shop.client if "Cookie" in item.headers else shop.app.test_client()
    response = client.open(item.path, method=item.method, headers=headers, data=item.body)
    return response.status_code


#: What a profile lists by default: our code and the libraries it drives.
OURS = "returns_service|rules/|jinja|marshmallow|smtp|babel"


def measure(
    shop: Shop,
    name: str,
    count: int,
    profile: bool,
    order: str = "cumulative",
    restrict: str = OURS,
) -> None:
    """Send ``count`` requests of one path; print statements and timings."""
    items = PATHS[name](shop)
    items = (items * (count + 3))[: count + 3]  # a read path's few requests, again and again
    for item in items[:3]:  # warm up
        _send(shop, item)
    times, cpu, statements = [], [], []
    # CPU time, not wall: waiting on the database or a busy machine is not this code's cost.
    profiler = cProfile.Profile(time.process_time) if profile else None
    postgres_before = postgres_cpu_seconds()
    for item in items[3:]:
        with counted_statements(shop.app) as sent:
            start, start_cpu = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            status = _send(shop, item)
            if profiler:
                profiler.disable()
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        if status >= 300:
            raise RuntimeError(f"{name}: {item.method} {item.path} answered {status}")
        statements.append(len(sent))
    postgres_after = postgres_cpu_seconds()
    # Means for the processor time: a loaded server's throughput is what it costs on the
    # whole, its odd slow request (a collection, a longer plan) included.
    postgres = (
        f"{(postgres_after - postgres_before) / count * 1000:5.2f} ms PostgreSQL"
        if postgres_before is not None and postgres_after is not None
        else "     ? PostgreSQL"
    )
    print(
        f"  {name:20} {statistics.median(times) * 1000:7.1f} ms median  "
        f"CPU per request (mean) {statistics.fmean(cpu) * 1000:5.2f} ms here, {postgres}  "
        f"{statistics.median(statements):4.0f} statements"
    )
    if profiler:
        pstats.Stats(profiler).sort_stats(order).print_stats(restrict, 60)
        for statement in sent:
            print("   ", " ".join(statement.split())[:160])


def main(argv: list[str] | None = None) -> int:
    """Seed a small shop and measure each path (or the one given) in process."""
    parser = argparse.ArgumentParser(prog="python -m bench.inprocess", description=__doc__)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--profile", choices=sorted(PATHS), help="profile this path")
    parser.add_argument("--only", choices=sorted(PATHS), action="append", help="measure this path")
    parser.add_argument("--sort", default="cumulative", help="the profile's order (tottime, ...)")
    parser.add_argument("--restrict", default=OURS, help="a regex of what the profile lists")
    args = parser.parse_args(argv)
    with ExitStack() as stack:
        database_url = stack.enter_context(throwaway_database())
        redis_url = stack.enter_context(own_redis_database())
        shop = Shop(database_url, redis_url, args.requests + 10)
        shop.seed()
        _prepare(shop)
        names = [args.profile] if args.profile else args.only or list(PATHS)
        for name in names:
            measure(shop, name, args.requests, bool(args.profile), args.sort, args.restrict)
    return 0


if __name__ == "__main__":
    sys.exit(main())
