"""Jobs per second: draining the outbox the HTTP paths left (e-mails, refunds, webhooks)
with one worker and with two, against RQ no-op jobs on the same Redis. A job here is one
outbox message (one side effect), however many of them one RQ job runs.

The measured span is the time every worker was at work, as RQ recorded its jobs' start and
end: worker start-up (importing the app) counts for neither side, nor do the moments one of
two workers runs alone (started later, or out of jobs sooner).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from redis import Redis
from rq import Queue
from rq.job import Job
from sqlalchemy import create_engine, func, select

from bench.processors import CpuSample, busy_between, cpu_sample
from bench.stack import process
from returns_service.extensions import JobQueue
from returns_service.outbox import MessageStatus, OutboxMessage

NOOP_QUEUE = "bench-noop"


def noop() -> None:
    """A job that does nothing: what RQ itself costs per job."""


@dataclass(frozen=True)
class Drain:
    """A drain's jobs (outbox messages, or no-op jobs), the span it is measured over and
    what ran in that span."""

    #: Jobs run in all.
    jobs: int
    #: The span: while every worker was at work (see :func:`_span`).
    seconds: float
    #: Jobs run in the span, one across its edge by the share of its time inside.
    counted: float = 0.0
    #: Seconds spent inside RQ's jobs in the span (start to end of each, summed): the rest
    #: of the span, times the workers, is RQ's own work between jobs.
    in_jobs: float = 0.0
    #: How busy the machine's processors were over the span (0 to 1; None if unknown).
    cpu_busy: float | None = None

    @property
    def rate(self) -> float:
        """Jobs per second."""
        return self.counted / self.seconds if self.seconds else 0.0


def _span(redis: Redis, job_ids: list[str], load: list[CpuSample], workers: int) -> Drain:
    """The jobs run while every worker was at work: from the moment the last of them
    started its first job to the moment the first of them ended its last. A worker that
    starts later (or runs out of jobs sooner) than another leaves the other alone
    meanwhile, which would count against running several. Where the workers never all ran
    at once (one ran out before another started), the whole span, with a note."""
    jobs = [job for job in Job.fetch_many(job_ids, connection=redis) if job and job.ended_at]
    # An outbox job runs the messages it was given; a no-op job is one.
    size = {job.id: len(job.args) or 1 for job in jobs}
    if len(jobs) < 2:
        return Drain(sum(size.values()), 0.0)
    by_worker: dict[str, list[Job]] = {}
    for job in jobs:
        by_worker.setdefault(job.worker_name or "", []).append(job)
    start = max(min(job.started_at for job in own) for own in by_worker.values())
    end = min(max(job.ended_at for job in own) for own in by_worker.values())
    if len(by_worker) < workers or end <= start:
        print(f"  (the {workers} workers never all ran at once: their whole span is taken)")
        start = min(job.started_at for job in jobs)
        end = max(job.ended_at for job in jobs)
    counted = in_jobs = 0.0
    for job in jobs:
        ran = (job.ended_at - job.started_at).total_seconds()
        inside = (min(end, job.ended_at) - max(start, job.started_at)).total_seconds()
        if ran > 0 and inside > 0:
            counted += size[job.id] * inside / ran
            in_jobs += inside
        elif ran <= 0 and start <= job.started_at <= end:
            counted += size[job.id]
    return Drain(
        sum(size.values()),
        (end - start).total_seconds(),
        counted,
        in_jobs,
        busy_between(load, start.timestamp(), end.timestamp()),
    )


def _run_workers(count: int, args: list[str], env: Mapping[str, str], name: str) -> list[CpuSample]:
    """Run the workers to the end; the machine's processor time sampled meanwhile, so the
    share the drain kept busy can be told (two workers on two processors saturate them)."""
    load: list[CpuSample] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            if (taken := cpu_sample()) is not None:
                load.append(taken)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        with ExitStack() as stack:
            children = [
                stack.enter_context(process(args, env, f"{name}-{index}")) for index in range(count)
            ]
            for child in children:
                if child.wait(timeout=600) != 0:
                    raise RuntimeError(f"a {name} worker failed; see returns-bench-{name}-*.log")
    finally:
        done.set()
        sampler.join()
    return load


def _finished_ids(queue: Queue) -> list[str]:
    return queue.finished_job_registry.get_job_ids()


def drain_outbox(redis_url: str, env: Mapping[str, str], workers: int, job_ids: list[str]) -> Drain:
    """Put ``job_ids`` back on the service's queue and run ``workers`` burst workers."""
    redis = Redis.from_url(redis_url)
    queue = Queue(JobQueue.QUEUE_NAME, connection=redis)
    before = set(_finished_ids(queue))
    for job_id in job_ids:
        queue.push_job_id(job_id)
    args = [sys.executable, "-m", "returns_service", "worker", "--burst"]
    load = _run_workers(workers, args, env, "worker")
    return _span(redis, [i for i in _finished_ids(queue) if i not in before], load, workers)


def drain_noop(redis_url: str, env: Mapping[str, str], workers: int, jobs: int) -> Drain:
    """Enqueue ``jobs`` no-op jobs and run ``workers`` burst workers of the service's worker
    class, whose job loop is RQ's own."""
    redis = Redis.from_url(redis_url)
    queue = Queue(NOOP_QUEUE, connection=redis)
    ids = [queue.enqueue(noop).id for _ in range(jobs)]
    args = [
        str(Path(sys.executable).parent / "rq"), "worker", "--burst", "--quiet",
        "--worker-class", "returns_service.worker.ServiceWorker", "--url", redis_url, NOOP_QUEUE,
    ]  # fmt: skip
    load = _run_workers(workers, args, env, "noop")
    return _span(redis, ids, load, workers)


def take_waiting_jobs(redis_url: str) -> list[str]:
    """Empty the service's queue; returns the ids that were waiting, oldest first."""
    redis = Redis.from_url(redis_url)
    queue = Queue(JobQueue.QUEUE_NAME, connection=redis)
    ids = queue.get_job_ids()
    redis.delete(queue.key)
    return ids


def outbox_failures(database_url: str) -> int:
    """Outbox rows that did not succeed (failed, or waiting to be retried)."""
    engine = create_engine(database_url)
    with engine.connect() as connection:
        count = connection.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status != MessageStatus.SUCCEEDED)
        )
    engine.dispose()
    return int(count or 0)
