"""The bench's own parts, kept from rotting: COPY seeding, streaming past decisions, and the
wrk script that sends a prepared request list."""

from __future__ import annotations

import json
import random
import shutil
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from redis import Redis
from rq.job import Job
from sqlalchemy import create_engine, func, insert, select, text, update
from sqlalchemy.orm import Session

import rules
from bench.http import (
    MAX_RATE,
    PATHS,
    SLICES,
    WARM_UP_REQUESTS,
    Load,
    _check,
    _sent_and_answered,
    compared,
    load_seconds,
    pooled,
    prepared_per_path,
    sliced,
    warm_up_and_measured,
)
from bench.pipeline import _span, noop
from bench.processors import (
    CpuSample,
    busy_between,
    cpu_sample,
    postgres_cpu_seconds,
    processor_ms_per_request,
)
from bench.rules_bench import random_facts
from bench.seed import OrderBatch, reset_sequences, seed_orders, seed_returns
from bench.wrk import CONNECTIONS, Request, Result, load
from returns_service.extensions import db
from returns_service.models import Base, utcnow
from returns_service.orders.models import Order, OrderLine, ShipmentLine
from returns_service.returns.models import ReturnLine, ReturnRequest
from returns_service.returns.simulation import past_line_decisions
from rules.mentioned import facts_mentioned


def _seed(batch: OrderBatch, awaiting_parcel: int = 0) -> None:
    raw = db.engine.raw_connection()
    try:
        now = utcnow()
        seed_orders(raw.driver_connection, batch, now - timedelta(days=1), days=10)
        seed_returns(
            raw.driver_connection, batch, now, in_review=2, awaiting_parcel=awaiting_parcel
        )
        reset_sequences(raw.driver_connection)
        raw.commit()
    finally:
        raw.close()


def test_seeded_shop_is_whole_and_streams_its_past_decisions(app: Flask, session: Session) -> None:
    _seed(OrderBatch(1, 6, lines=3))

    assert session.scalar(select(func.count()).select_from(Order)) == 6
    assert session.scalar(select(func.count()).select_from(OrderLine)) == 18
    assert session.scalar(select(func.count()).select_from(ShipmentLine)) == 18
    # Lines decided before decisions kept their facts are left out, not guessed.
    session.execute(update(ReturnLine).where(ReturnLine.id == 3).values(decision={}))
    session.commit()

    past = list(past_line_decisions(session))
    assert len(past) == 11
    assert [p.line_id for p in past] == sorted(p.line_id for p in past)
    assert all(p.facts["reason"] and p.rule for p in past)
    newest = list(past_line_decisions(session, last=2))
    assert {p.request_id for p in newest} == {"R-00000005", "R-00000006"}
    # The sequences moved past the seeded ids: the service can add rows after them.
    session.add(OrderLine(order_id=1, external_id="L9", title="t", quantity=1, unit_price=1,
                          discount=0))  # fmt: skip
    session.commit()


def test_past_decisions_of_a_window_are_its_lines_and_the_session_goes_on(
    app: Flask, session: Session
) -> None:
    _seed(OrderBatch(1, 6, lines=2))
    filed = dict(session.execute(select(ReturnRequest.rma, ReturnRequest.created_at)).all())
    moments = sorted(set(filed.values()))
    since, until = moments[1], moments[-1]
    # Given in another zone than the database's: the moment, not its wall-clock time, counts.
    tokyo = timezone(timedelta(hours=9))
    window = list(
        past_line_decisions(
            session, since=since.astimezone(tokyo), until=until.astimezone(tokyo), facts=["reason"]
        )
    )

    expected = sorted(rma for rma, at in filed.items() if since <= at < until)
    assert expected and sorted({p.request_id for p in window}) == expected
    assert all(set(p.facts) == {"reason"} for p in window)
    newest = list(past_line_decisions(session, last=1, since=since, facts=["reason"]))
    assert {p.request_id for p in newest} == {max(filed, key=lambda rma: (filed[rma], rma))}
    # The rows came on the session's own connection, which is free again.
    assert session.scalar(select(func.count()).select_from(ReturnLine)) == 12
    with pytest.raises(ValueError, match="naive datetime"):  # as the column's type refuses
        list(past_line_decisions(session, since=since.replace(tzinfo=None)))


def test_the_newest_seeded_returns_are_open_the_rest_done(app: Flask, session: Session) -> None:
    _seed(OrderBatch(1, 6, lines=3), awaiting_parcel=3)

    statuses = session.execute(select(ReturnRequest.id, ReturnRequest.status).order_by("id"))
    assert [status.value for _, status in statuses] == [
        "completed",
        "awaiting_parcel",
        "awaiting_parcel",
        "awaiting_parcel",
        "review",
        "review",
    ]


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (make bench does)")
def test_wrk_sends_each_prepared_request_with_its_body_and_headers(httpserver: Any) -> None:
    seen: list[tuple[str, str, str]] = []

    def record(request: Any) -> Any:
        from werkzeug import Response

        body = request.get_data(as_text=True)
        seen.append((request.path, request.headers.get("X-Token", ""), body))
        return Response("{}", status=201)

    httpserver.expect_request("/a", method="POST").respond_with_handler(record)
    items = [
        Request("POST", "/a", {"X-Token": "one ]] [["}, json.dumps({"n": 1})),
        Request("POST", "/a", {"X-Token": "two"}, json.dumps({"n": "]====]"})),
    ]

    result = load(httpserver.url_for("/").rstrip("/"), items, 1)

    assert result.requests > 2 and result.non2xx == 0 and result.rate > 0
    assert ("/a", "one ]] [[", '{"n": 1}') in seen
    assert ("/a", "two", '{"n": "]====]"}') in seen


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (make bench does)")
def test_wrk_sends_a_single_request_on_every_connection(httpserver: Any) -> None:
    answered: set[int] = set()

    def record(request: Any) -> Any:
        from werkzeug import Response

        answered.add(request.environ["REMOTE_PORT"])
        return Response("ok")

    httpserver.expect_request("/page").respond_with_handler(record)

    load(httpserver.url_for("/").rstrip("/"), [Request("GET", "/page", {})], 1)

    assert len(answered) >= CONNECTIONS  # each connection's thread had a request to send


#: A fact of each kind the registry has, one it lacks, and one with no value.
FACTS_OF_EVERY_KIND = {
    "line_total": 4900,
    "customer_return_rate_365d": 0.25,
    "is_final_sale": False,
    "product_tags": ["sale", "outer"],
    "reason": "SIZE_TOO_SMALL",
    "delivered_on": "2025-01-15",
    "days_since_delivery": None,
    "not_in_the_registry": {"nested": [1, 2.5]},
}


def _decide_every_line(session: Session, facts: dict[str, Any]) -> None:
    decision = {"outcome": "approve", "rule": "r", "facts": facts}
    session.execute(update(ReturnLine).values(decision=decision))
    session.commit()


def test_past_decisions_with_only_the_facts_a_draft_reads_keep_their_types(
    app: Flask, session: Session
) -> None:
    _seed(OrderBatch(1, 3, lines=2))
    facts = FACTS_OF_EVERY_KIND
    _decide_every_line(session, facts)
    wanted = [*facts, "absent"]

    picked = list(past_line_decisions(session, facts=wanted))
    whole = list(past_line_decisions(session))

    assert len(picked) == len(whole) == 6
    expected = {name: facts.get(name) for name in wanted}
    for line in picked:
        assert line.facts == expected
        assert [type(line.facts[n]) for n in wanted[:3]] == [int, float, bool]
    assert [p.line_id for p in picked] == [w.line_id for w in whole]
    assert whole[0].facts == facts


def test_past_decisions_read_numbers_as_json_does_whatever_the_facts_are_called(
    app: Flask, session: Session
) -> None:
    _seed(OrderBatch(1, 1, lines=1))
    facts = {
        "line_total": -7,
        "order_total": "12abc",  # not a number after all: read as sent
        "customer_return_rate_365d": 0.5,
        "unit_price": 1.0,
        'name"), print("': 1,
    }
    decision = {"outcome": "reject", "rule": "r", "facts": facts}
    session.execute(update(ReturnLine).values(decision=decision))
    session.commit()

    (line,) = past_line_decisions(session, facts=[*facts])

    assert line.facts == facts
    assert [type(line.facts[n]) for n in facts] == [int, str, float, float, int]
    assert line.outcome is rules.Outcome.REJECT


def test_past_decisions_read_the_same_from_sqlite(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    _seed(OrderBatch(1, 3, lines=2))
    facts = FACTS_OF_EVERY_KIND | {"order_total": "12abc"}
    _decide_every_line(session, facts)
    session.execute(update(ReturnLine).where(ReturnLine.id == 2).values(decision={}))
    session.commit()
    # The demo's database: the same rows, copied.
    demo = create_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    tables = [ReturnRequest.__table__, ReturnLine.__table__]
    Base.metadata.create_all(demo, tables=tables)
    with demo.begin() as connection:
        for table in tables:
            rows = [dict(row._mapping) for row in session.execute(select(table))]
            connection.execute(insert(table), rows)
    wanted = [*facts, "absent"]

    def read(on: Session, **chosen: Any) -> list[tuple[Any, ...]]:
        past = past_line_decisions(on, **chosen)
        return [(p.request_id, p.line_id, p.facts, p.outcome, p.rule) for p in past]

    with Session(demo) as lite:
        for chosen in ({"facts": wanted}, {}, {"last": 1, "facts": ["is_final_sale"]}):
            assert read(lite, **chosen) == read(session, **chosen)
    demo.dispose()
    assert len(read(session)) == 5 and read(session, facts=wanted)[0][2]["is_final_sale"] is False


def test_the_facts_a_rule_set_mentions_cover_what_deciding_reads() -> None:
    document = rules.default_rule_set()
    compiled = rules.compile_rule_set(document)
    read: set[str] = set()

    class Recording(dict):
        def get(self, key: str, default: Any = None) -> Any:
            read.add(key)
            return super().get(key, default)

    rng = random.Random(3)
    for _ in range(2000):
        compiled.decide(Recording(random_facts(rng)))

    assert read <= facts_mentioned(compiled.doc)
    assert "reason" in read


def test_a_draft_that_reads_no_fact_still_gets_every_line(app: Flask, session: Session) -> None:
    _seed(OrderBatch(1, 2, lines=2))

    assert [p.facts for p in past_line_decisions(session, facts=[])] == [{}] * 4


def test_postgresql_processor_time_grows_with_the_work_it_is_given(session: Session) -> None:
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("reads PostgreSQL's processes")
    before = postgres_cpu_seconds()
    if not before:
        pytest.skip("no PostgreSQL process on this machine to read")
    session.execute(text("SELECT count(*) FROM generate_series(1, 3000000)")).scalar()
    after = postgres_cpu_seconds()
    assert after is not None and after - before >= 0.05


def test_the_busy_share_is_taken_between_the_samples_of_the_span() -> None:
    load = [CpuSample(1.0, 100, 1000), CpuSample(2.0, 400, 1600), CpuSample(3.0, 900, 2000)]
    assert busy_between(load, 1.0, 2.0) == 0.5
    assert busy_between(load, 1.0, 3.0) == 0.8
    assert busy_between(load, 2.5, 3.0) is None  # one sample only: nothing to tell
    sample = cpu_sample()
    if sample is not None:
        assert 0 <= sample.busy <= sample.total


def test_a_requests_processor_time_is_its_share_of_every_processor_over_its_rate() -> None:
    # Two processors 90% busy answering 180 requests a second: 10 ms of processor each.
    assert processor_ms_per_request(0.9, 180.0, 2) == pytest.approx(10.0)
    assert processor_ms_per_request(0.9, 180.0, 4) == pytest.approx(20.0)
    assert processor_ms_per_request(None, 180.0, 2) is None
    assert processor_ms_per_request(0.9, 0.0, 2) is None
    assert processor_ms_per_request(0.9, 180.0, None) is None


def test_a_path_of_fresh_requests_that_ran_out_of_them_is_reported() -> None:
    served = Result(requests=2260, seconds=5, p50_ms=30, p99_ms=60, non2xx=0, errors=0)
    [missed] = _sent_and_answered("PUT an order", True, served, 1750)
    assert missed.startswith("PUT an order: 2260 requests sent, 1750 prepared")
    assert not _sent_and_answered("PUT an order", True, served, 2260)
    assert not _sent_and_answered("portal order read", False, served, 50)  # sent again


def test_a_path_short_of_its_targets_is_reported() -> None:
    bare = Result(requests=6000, seconds=5, p50_ms=12, p99_ms=20, non2xx=0, errors=0)
    served = Result(requests=1500, seconds=5, p50_ms=30, p99_ms=70, non2xx=0, errors=0)
    filing = next(path for path in PATHS if path.name == "file a return")
    assert _check(filing, served, bare) == [
        "file a return: 0.25x bare < 0.3x",
        "file a return: p99 3.5x bare > 3.0x",
    ]
    assert not _check(filing, Result(1800, 5, 30, 60, 0, 0), bare)


def test_a_path_is_warmed_up_with_requests_its_measurement_never_sends() -> None:
    fresh = next(path for path in PATHS if path.name == "file a return")
    read = next(path for path in PATHS if path.name == "portal order read")
    items = [Request("POST", f"/api/v1/returns?n={n}", {}) for n in range(WARM_UP_REQUESTS + 300)]
    warm_up, measured = warm_up_and_measured(fresh, items)
    assert len(warm_up) == WARM_UP_REQUESTS and len(measured) == 300
    assert not {item.path for item in warm_up} & {item.path for item in measured}
    reads = items[:3]
    assert warm_up_and_measured(read, reads) == (reads, reads)  # sent again by design

    # A warm-up that ran out of its requests, or was answered with errors, is reported too.
    sent = WARM_UP_REQUESTS + 1
    warmed = Result(requests=sent, seconds=1, p50_ms=9, p99_ms=9, non2xx=2, errors=0)
    reported = _sent_and_answered("file a return (warm-up)", True, warmed, WARM_UP_REQUESTS)
    assert [m.split(":")[1].split(",")[0].strip() for m in reported] == [
        f"{WARM_UP_REQUESTS + 1} requests sent",
        "2 non-2xx answers",
    ]


def test_a_path_is_measured_in_slices_that_never_send_a_fresh_request_twice() -> None:
    fresh = next(path for path in PATHS if path.name == "file a return")
    read = next(path for path in PATHS if path.name == "portal order read")
    items = [Request("POST", f"/api/v1/returns?n={n}", {}) for n in range(SLICES * 100 + 2)]
    parts = sliced(fresh, items)
    assert len(parts) == SLICES and all(len(part) == 100 for part in parts)
    paths = [item.path for part in parts for item in part]
    assert len(set(paths)) == len(paths)
    assert sliced(read, items[:3]) == [items[:3]] * SLICES  # sent again by design


def test_each_load_lasts_its_share_of_the_path_in_whole_seconds() -> None:
    assert SLICES == 3
    assert [load_seconds(s) for s in (1, 4, 5, 6, 15)] == [1, 2, 2, 2, 5]
    with pytest.raises(ValueError, match="whole seconds, not 1.5"):
        load("http://127.0.0.1:9", [Request("GET", "/", {})], 1.5)


def test_every_load_of_fresh_requests_has_enough_for_its_seconds_at_the_top_rate() -> None:
    fresh = next(path for path in PATHS if path.name == "PUT an order")
    for seconds in (1, 5, 15):
        each = load_seconds(seconds)
        items = [Request("PUT", f"/api/v1/orders/P{n}", {}) for n in range(prepared_per_path(each))]
        _, measured = warm_up_and_measured(fresh, items)
        parts = sliced(fresh, measured)
        assert len(parts) == SLICES and all(len(part) >= each * MAX_RATE for part in parts)


def test_a_path_is_compared_with_its_yardstick_loads_taken_as_one() -> None:
    faster = Result(requests=5000, seconds=5, p50_ms=10, p99_ms=20, non2xx=0, errors=0)
    slower = Result(requests=3000, seconds=5, p50_ms=14, p99_ms=40, non2xx=1, errors=0)
    bare, busy = pooled([(faster, 0.8), (slower, 0.9), (slower, 1.0)])
    assert bare.rate == pytest.approx(11000 / 15) and bare.seconds == 15
    assert (bare.p50_ms, bare.p99_ms) == pytest.approx((38 / 3, 100 / 3))
    assert bare.non2xx == 2 and busy == pytest.approx(0.9)
    assert pooled([(faster, None), (slower, 0.9)])[1] is None


def _at(per_second: int, busy: float | None = 0.9) -> Load:
    """A load of 2 s at ``per_second`` requests a second."""
    return Result(per_second * 2, 2, 10, 20, 0, 0), busy


def test_each_load_is_compared_with_the_yardstick_loads_on_either_side() -> None:
    yardsticks = [_at(600), _at(400), _at(800), _at(600)]
    loads = [_at(250), _at(240), _at(420)]  # 0.5x, 0.4x and 0.6x the two beside each
    (result, busy), (bare, bare_busy), spread = compared(loads, yardsticks)
    assert spread == pytest.approx((0.4, 0.6))
    assert result.rate == pytest.approx(910 / 3) and busy == pytest.approx(0.9)
    assert bare.rate == pytest.approx(600) and bare_busy == pytest.approx(0.9)


def test_a_paths_ratio_lies_between_those_of_its_loads() -> None:
    yardsticks = [_at(100, None), _at(1000), _at(1000), _at(100)]
    loads = [_at(275), _at(500), _at(275)]  # each half the mean of the two beside it
    (result, _), (bare, bare_busy), spread = compared(loads, yardsticks)
    assert result.rate / bare.rate == pytest.approx(0.5) and bare_busy is None
    assert spread == pytest.approx((0.5, 0.5))


def test_a_drain_counts_the_time_every_worker_was_at_work(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    at = datetime(2026, 12, 6, 12, tzinfo=UTC)

    def ran(worker: str, start: float, end: float, messages: int = 1) -> str:
        job = Job.create(noop, args=tuple(range(messages)), connection=redis)
        job.worker_name = worker
        job.started_at, job.ended_at = at + timedelta(seconds=start), at + timedelta(seconds=end)
        job.save()
        return job.id

    # One worker started a second later and ran out of jobs a second sooner.
    first = [ran("first", n, n + 1) for n in range(6)]
    second = [ran("second", n, n + 1) for n in range(1, 5)]
    drain = _span(redis, first + second, [], 2)
    assert (drain.jobs, drain.seconds, drain.counted) == (10, 4, 8)  # from 1 s to 5 s
    alone = _span(redis, first, [], 1)
    assert (alone.jobs, alone.seconds, alone.counted) == (6, 6, 6)  # one worker: its whole run

    # A job across the span's edge counts by its share inside: half of its four messages.
    across = [ran("third", 0.5, 1.5, 4), ran("third", 1.5, 5.5, 8)]
    drain = _span(redis, second + across, [], 2)
    assert (drain.seconds, drain.counted) == (4, 4 + 2 + 8 * 3.5 / 4)  # from 1 s to 5 s

    # Workers that never ran at once, or fewer than asked for: their whole span, not less.
    apart = [ran("early", 0, 1), ran("early", 1, 2), ran("late", 3, 4), ran("late", 4, 5)]
    drain = _span(redis, apart, [], 2)
    assert (drain.seconds, drain.counted) == (5, 4)
    assert _span(redis, first, [], 2).seconds == 6
