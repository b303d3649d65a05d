"""Processor time read off Linux's /proc: how busy the machine was over a span, and how
much PostgreSQL's processes spent. On another system each reading is None (left out)."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CpuSample:
    """The machine's processor time so far (all processors, in clock ticks) at a moment."""

    at: float
    busy: int
    total: int


def cpu_sample() -> CpuSample | None:
    """The machine's processor time so far, or None where /proc/stat is not there."""
    try:
        fields = [int(value) for value in Path("/proc/stat").read_text().split()[1:9]]
    except (OSError, ValueError):
        return None  # not Linux: the share is left out
    idle = fields[3] + fields[4]  # idle and waiting for I/O
    return CpuSample(time.time(), sum(fields) - idle, sum(fields))


def busy_between(load: list[CpuSample], start: float, end: float) -> float | None:
    """The share of the processors' time that was busy between two moments of ``load``."""
    inside = [sample for sample in load if start <= sample.at <= end]
    if len(inside) < 2 or inside[-1].total == inside[0].total:
        return None
    first, last = inside[0], inside[-1]
    return (last.busy - first.busy) / (last.total - first.total)


def processor_ms_per_request(
    busy: float | None, rate: float, processors: int | None
) -> float | None:
    """The machine's processor time a request took under load, in ms: the busy share of
    its ``processors`` over the requests answered a second (None where any is unknown).

    Read beside a ratio: where both sides keep the processors busy, the ratio of their
    rates is that of these times turned over; a side that leaves them idle waits instead
    (round trips, commits), and a machine whose processors are slower for Python than for
    the rest moves the ratio.
    """
    if busy is None or not rate or not processors:
        return None
    return busy * processors / rate * 1000


def postgres_cpu_seconds() -> float | None:
    """The processor time (user and system) spent so far by PostgreSQL's processes on this
    machine, with that of those that ended (the postmaster's reaped children): the server's
    work for a span of requests is the difference, which never goes down (other databases'
    and autovacuum's work in the span counts too)."""
    proc = Path("/proc")
    if not (proc / "stat").exists():
        return None
    ticks = 0
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # ended meanwhile
        # "pid (name) state ppid ...": the name may hold spaces and parentheses.
        name, _, rest = stat.partition("(")[2].rpartition(")")
        if name == "postgres":
            fields = rest.split()
            ticks += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")
