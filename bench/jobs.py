"""The job pipeline in process: the outbox that filing and cancelling leave (e-mails to a
loopback SMTP server, refunds at a loopback Stripe, webhooks to a loopback receiver, labels)
is run through ``worker.run_message`` (what RQ's job runs for each of its messages), one
message after another.
Prints per kind the median wall and CPU time (this thread) and the statements a message
sends; ``--rq`` then drains a second batch through the service's RQ worker in this process,
against RQ no-op jobs; ``--drain`` instead drains the outbox with a worker process as
``bench.http`` does, or with ``--workers`` processes (messages/s, the workers' CPU per
message, the time inside RQ's jobs and between them per message, against RQ no-op jobs on
as many RQ workers);
``--profile KIND`` prints where that kind's time goes.

    python -m bench.jobs [--orders 60] [--profile send_email] [--rq | --drain [--workers 2]]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import ExitStack

from rq import Queue
from rq.job import Job
from sqlalchemy import select

from bench import pipeline
from bench.http import service_env
from bench.inprocess import counted_statements
from bench.pipeline import NOOP_QUEUE, noop
from bench.stack import loopback_partner, loopback_smtp, own_redis_database, throwaway_database
from bench.workloads import Shop
from returns_service.extensions import db, jobs
from returns_service.outbox import MessageStatus, OutboxMessage
from returns_service.worker import ServiceWorker, prepare_process, run_message


def _subscribe(shop: Shop, partner: str) -> None:
    """Subscribe the loopback receiver to the events filing sends."""
    client = shop.app.test_client()
    subscribed = client.post(
        "/api/v1/webhooks/endpoints",
        json={
            "url": partner + "/hooks",
            "events": ["return.created", "return.approved", "refund.issued"],
        },
        headers={"Authorization": f"Bearer {shop.admin}"},
    )
    assert subscribed.status_code == 201, subscribed.get_data(as_text=True)


def _fill_outbox(shop: Shop, batch: slice) -> None:
    """File returns, cancel orders, put orders and take Shopify's webhooks through the API in
    process, as the HTTP bench does (their jobs go to RQ)."""
    client = shop.app.test_client()
    items = shop.file_returns()[batch] + shop.cancel_orders()[batch] + shop.put_orders()[batch]
    for item in items + (shop.shopify_webhooks() or [])[batch]:
        answer = client.open(item.path, method=item.method, headers=item.headers, data=item.body)
        assert answer.status_code < 300, answer.get_data(as_text=True)


def _pending(shop: Shop) -> list[tuple[str, str]]:
    with shop.app.app_context():
        rows = db.session.execute(
            select(OutboxMessage.id, OutboxMessage.job)
            .where(OutboxMessage.status == MessageStatus.PENDING)
            .order_by(OutboxMessage.created_at)
        ).all()
        db.session.rollback()
    return [(row.id, row.job) for row in rows]


def measure(shop: Shop, profile: str | None) -> None:
    """Run every pending message once; print per kind what it took."""
    times, cpu, statements = defaultdict(list), defaultdict(list), defaultdict(list)
    profiler = cProfile.Profile()
    last: dict[str, list[str]] = {}
    pending = _pending(shop)
    with shop.app.app_context():
        jobs.queue.empty()  # run here, not by RQ
        prepare_process()  # as a worker process does
        for message_id, job in pending:
            with counted_statements(shop.app) as sent:
                start, start_cpu = time.perf_counter(), time.thread_time()
                if job == profile:
                    profiler.enable()
                outcome = run_message(message_id)
                if job == profile:
                    profiler.disable()
                times[job].append(time.perf_counter() - start)
                cpu[job].append(time.thread_time() - start_cpu)
            if outcome != "succeeded":
                raise RuntimeError(f"{job} {message_id}: {outcome}")
            statements[job].append(len(sent))
            last[job] = sent
    for job in sorted(times):
        print(
            f"  {job:26} {len(times[job]):4} msgs  {statistics.median(times[job]) * 1000:6.2f} ms "
            f"median  {statistics.median(cpu[job]) * 1000:6.2f} ms CPU (thread)  "
            f"{statistics.median(statements[job]):3.0f} statements"
        )
    if profile:
        ours = "returns_service|jinja|babel|smtp|email|requests|urllib3|sqlalchemy"
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(ours, 50)
        for statement in last.get(profile, []):
            print("   ", " ".join(statement.split())[:160])


def _drain(queue: Queue) -> tuple[int, float]:
    """Jobs run (outbox messages, follow-ups included; or no-op jobs) and the seconds it
    took."""
    finished = queue.finished_job_registry
    before = set(finished.get_job_ids())
    start = time.perf_counter()
    ServiceWorker([queue], connection=queue.connection).work(burst=True, logging_level="WARNING")
    seconds = time.perf_counter() - start
    ran = Job.fetch_many(
        [i for i in finished.get_job_ids() if i not in before], connection=queue.connection
    )
    return sum(len(job.args) or 1 for job in ran if job), seconds


def through_rq(shop: Shop, orders: int) -> None:
    """Drain a fresh outbox with an RQ worker in this process, then as many no-op jobs."""
    _fill_outbox(shop, slice(orders, 2 * orders))
    with shop.app.app_context():
        count, seconds = _drain(jobs.queue)
        noop_queue = Queue(NOOP_QUEUE, connection=jobs.queue.connection)
        for _ in range(count):
            noop_queue.enqueue(noop)
        noop_count, noop_seconds = _drain(noop_queue)
    rate, noop_rate = count / seconds, noop_count / noop_seconds
    print(
        f"  RQ in process: outbox {rate:6.1f} jobs/s ({count} jobs), no-op {noop_rate:6.1f} "
        f"jobs/s: {rate / noop_rate:.2f}x"
    )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def drain_with_workers(redis_url: str, env: dict[str, str], workers: int) -> None:
    """Drain the waiting jobs with ``workers`` worker processes, then as many no-op jobs with
    as many plain RQ workers: jobs per second, and the CPU the worker processes used per job
    (start-up included)."""
    waiting = pipeline.take_waiting_jobs(redis_url)
    start = _children_cpu()
    outbox = pipeline.drain_outbox(redis_url, env, workers, waiting)
    middle = _children_cpu()
    noop = pipeline.drain_noop(redis_url, env, workers, outbox.jobs)
    end = _children_cpu()
    print(
        f"  {workers} worker process{'es' if workers > 1 else ''}: outbox {outbox.rate:6.1f} "
        f"jobs/s, {(middle - start) / outbox.jobs * 1000:5.2f} ms CPU per job ({outbox.jobs} "
        f"jobs); no-op {noop.rate:6.1f} jobs/s, {(end - middle) / noop.jobs * 1000:5.2f} ms "
        f"CPU per job: {outbox.rate / noop.rate:.2f}x\n"
        f"  inside a job {outbox.in_jobs / outbox.counted * 1000:5.2f} ms (no-op "
        f"{noop.in_jobs / noop.counted * 1000:5.2f} ms), RQ between jobs "
        f"{(outbox.seconds * workers - outbox.in_jobs) / outbox.counted * 1000:5.2f} ms (no-op "
        f"{(noop.seconds * workers - noop.in_jobs) / noop.counted * 1000:5.2f} ms)"
    )


def main(argv: list[str] | None = None) -> int:
    """Seed a small shop, fill its outbox, run it."""
    parser = argparse.ArgumentParser(prog="python -m bench.jobs", description=__doc__)
    parser.add_argument("--orders", type=int, default=60, help="returns filed, orders cancelled")
    parser.add_argument("--profile", metavar="KIND", help="profile this job, e.g. send_email")
    parser.add_argument("--rq", action="store_true", help="also drain through RQ in process")
    parser.add_argument("--drain", action="store_true", help="only drain with worker processes")
    parser.add_argument("--workers", type=int, default=1, help="worker processes that drain")
    args = parser.parse_args(argv)
    with ExitStack() as stack:
        database_url = stack.enter_context(throwaway_database())
        redis_url = stack.enter_context(own_redis_database())
        partner = stack.enter_context(loopback_partner())
        instance = stack.enter_context(tempfile.TemporaryDirectory(prefix="returns-bench-"))
        smtp_port = stack.enter_context(loopback_smtp())
        env = service_env(database_url, redis_url, smtp_port, partner, instance)
        os.environ |= env
        shop = Shop(database_url, redis_url, 2 * args.orders)
        shop.seed()
        _subscribe(shop, partner)
        _fill_outbox(shop, slice(0, args.orders))
        if args.drain:
            drain_with_workers(redis_url, env, args.workers)
            return 0
        measure(shop, args.profile)
        if args.rq:
            through_rq(shop, args.orders)
    return 0


if __name__ == "__main__":
    sys.exit(main())
