"""Simulating a draft on 100,000 past return lines stored in PostgreSQL, end to end.

The baseline, measured in the same run, is reading the same rows without deciding
anything: the ratio says what deciding adds to the unavoidable cost of loading.
"""

from __future__ import annotations

import os
import random
import sys
import time
import uuid
from datetime import timedelta

from sqlalchemy import create_engine, insert, make_url, select, text
from sqlalchemy.orm import Session

import rules
from bench.rules_bench import random_facts
from bench.seed import promised
from returns_service.migrate import upgrade
from returns_service.models import utcnow
from returns_service.orders.models import Customer, Order, OrderLine
from returns_service.returns.models import ReturnLine, ReturnRequest
from returns_service.returns.simulation import past_line_decisions
from returns_service.setting_values import normalise_database_url
from rules.mentioned import facts_mentioned
from rules.simulation import MONEY_FACTS

PAST_REQUESTS = 20_000
LINES_PER_REQUEST = 5
MAX_SECONDS = 10.0
SERVER_URL = normalise_database_url(
    os.environ.get("RETURNS_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
)


def _fill(url: str) -> None:
    """One order and 20,000 past requests of five lines, decided by the default rules."""
    rng = random.Random(7)
    decide = rules.compile_rule_set(rules.default_rule_set()).decide
    now = utcnow()
    engine = create_engine(url)
    with engine.begin() as connection:
        customer = connection.execute(
            insert(Customer)
            .values(email="bench@example.jp", name="bench", locale="ja", created_at=now)
            .returning(Customer.id)
        ).scalar_one()
        order = connection.execute(
            insert(Order)
            .values(
                external_id="bench",
                number="#1",
                customer_id=customer,
                placed_at=now,
                currency="JPY",
                total_amount=0,
                shipping_amount=0,
                discount_amount=0,
                refunded_amount=0,
                tags=[],
                shipping_address={},
                created_at=now,
                updated_at=now,
            )
            .returning(Order.id)
        ).scalar_one()
        line = connection.execute(
            insert(OrderLine)
            .values(
                order_id=order,
                external_id="1",
                sku="SKU",
                title="item",
                quantity=1,
                unit_price=1000,
                discount=0,
                product_type="",
                tags=[],
                is_final_sale=False,
            )
            .returning(OrderLine.id)
        ).scalar_one()
        requests = [
            {
                "rma": f"R-{index:08d}",
                "order_id": order,
                "status": "approved",
                "resolution": "refund",
                "method": "dropoff",
                "method_details": {},
                "locale": "ja",
                "decision": {},
                "restocking_fee": 0,
                "created_by": "bench",
                "created_at": now - timedelta(minutes=index),
                "updated_at": now,
                **promised(now - timedelta(minutes=index)),
            }
            for index in range(PAST_REQUESTS)
        ]
        connection.execute(insert(ReturnRequest), requests)
        ids = connection.execute(select(ReturnRequest.id)).scalars().all()
        lines = []
        for request_id in ids:
            for _ in range(LINES_PER_REQUEST):
                facts = random_facts(rng)
                decision = decide(facts)
                lines.append(
                    {
                        "return_id": request_id,
                        "order_line_id": line,
                        "quantity": 1,
                        "reason": str(facts["reason"]),
                        "comment": "",
                        "photos": [],
                        "outcome": decision.outcome.value,
                        "received_quantity": 0,
                        "inspection_notes": "",
                        "decision": {
                            "outcome": decision.outcome.value,
                            "rule": decision.rule,
                            "facts": facts,
                        },
                    }
                )
        for start in range(0, len(lines), 10_000):
            connection.execute(insert(ReturnLine), lines[start : start + 10_000])
    engine.dispose()


def _draft() -> dict:
    """The default rules with keep-the-item dropped: many past decisions change."""
    document = rules.default_rule_set()
    document["rules"] = [r for r in document["rules"] if not r["name"].startswith("low_price")]
    return document


def main() -> int:
    """Fill a throw-away database, time loading against loading and simulating."""
    name = f"returns_bench_{uuid.uuid4().hex[:10]}"
    server = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        _fill(url)
        engine = create_engine(url)
        compiled = rules.compile_rule_set(_draft())
        with Session(engine) as session:
            session.execute(select(ReturnLine.id, ReturnLine.decision)).all()  # warm the cache
            start = time.perf_counter()
            rows = list(session.execute(select(ReturnLine.id, ReturnLine.decision)))
            loading = time.perf_counter() - start
        with Session(engine) as session:
            start = time.perf_counter()
            report = rules.simulate(
                compiled,
                past_line_decisions(
                    session, last=PAST_REQUESTS, facts=facts_mentioned(compiled.doc) | MONEY_FACTS
                ),
            )
            simulating = time.perf_counter() - start
        engine.dispose()
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()
    print(
        f"simulation of a draft over {len(rows):,} past lines stored in PostgreSQL "
        f"({report.changed:,} change)"
    )
    print(f"  loading the rows only:    {loading:6.2f} s (baseline)")
    print(f"  loading and simulating:   {simulating:6.2f} s (target < {MAX_SECONDS:g} s)")
    print(f"  ratio to the baseline:    {simulating / loading:6.2f}")
    if report.total != PAST_REQUESTS * LINES_PER_REQUEST or simulating >= MAX_SECONDS:
        print(f"TARGET MISSED: {report.total:,} lines in {simulating:.2f} s")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
