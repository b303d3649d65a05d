"""Each case keeps the due times the shop's calendar gives it when it arrives, and the
promises kept counted against them are those the cases' own triage tells."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from alembic import command
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from returns_service.cancellations.models import Cancellation
from returns_service.cases.policy import CasePolicy
from returns_service.cases.read_model import load_cases
from returns_service.cases.triage import triage
from returns_service.config import Settings
from returns_service.events import Event
from returns_service.insight.satisfaction import case_numbers
from returns_service.migrate import alembic_config, upgrade
from returns_service.returns.models import Resolution, ReturnRequest, ReturnStatus
from returns_service.subscriptions.models import SubscriptionCancellation
from tests.cancellations.conftest import Cancellations
from tests.insight.history import give_back, sell, tokyo
from tests.shop import Shop
from tests.subscriptions.test_subscription_cancellation import Subscriptions


def _calendar_says(policy: CasePolicy, row: Any) -> tuple[datetime, datetime]:
    return policy.first_response_due(row.created_at), policy.resolution_due(row.created_at)


def test_every_kind_of_case_keeps_the_due_times_of_the_calendar(
    app: Flask, shop: Shop, session: Session
) -> None:
    order = shop.put_order()
    filed = shop.file(
        shop.customer(),
        [{"line_id": shop.line_id(order, "L4"), "quantity": 1, "reason": "UNWANTED"}],
    )
    assert filed.status_code == 201, filed.json
    cancellations = Cancellations(shop)
    cancellable = cancellations.put_order()
    assert cancellations.cancel(cancellations.customer(cancellable)).status_code == 201
    subscriptions = Subscriptions(shop)
    started = subscriptions.start(
        subscriptions.customer(subscriptions.put_orders()), "too_much_product"
    )
    assert started.status_code == 201, started.json

    policy = CasePolicy.from_config(app.config)
    for model in (ReturnRequest, Cancellation, SubscriptionCancellation):
        row = session.query(model).one()
        assert (row.first_response_due_at, row.resolution_due_at) == _calendar_says(policy, row)


def test_promises_kept_are_counted_as_triage_judges_each_case(app: Flask, session: Session) -> None:
    """Returns and exchanges filed around weekends and a holiday, answered early, late, or
    not at all, decided or still waiting on the desk or on the customer."""
    rng = random.Random(7)
    mugs = sell(session, "MUG", 200, tokyo(2026, 10, 20, 12))
    statuses = [ReturnStatus.REVIEW, ReturnStatus.AWAITING_PARCEL, ReturnStatus.COMPLETED]
    for _ in range(60):
        filed = tokyo(2026, 11, 1, 9) + timedelta(minutes=rng.randrange(0, 40 * 24 * 60))
        request = give_back(session, mugs, filed, ("UNWANTED", 1, ""))
        request.resolution = rng.choice([Resolution.REFUND, Resolution.EXCHANGE])
        request.status = rng.choice(statuses)
        # Some undecided cases wait on the customer: those cannot miss a promise.
        if rng.random() < (0.3 if request.status is ReturnStatus.REVIEW else 0.8):
            request.decided_at = filed + timedelta(hours=rng.randrange(0, 120))
        if rng.random() < 0.5:
            session.add(
                Event(
                    subject_type="return",
                    subject_id=request.id,
                    order_id=request.order_id,
                    kind=rng.choice(["return.note", "return.review"]),
                    actor=rng.choice(["staff:aoi@shop.example", "rules"]),
                    created_at=filed + timedelta(hours=rng.randrange(0, 60)),
                )
            )
    session.commit()
    since, until, now = tokyo(2026, 11, 3), tokyo(2026, 12, 8), tokyo(2026, 12, 9, 12)
    policy = CasePolicy.from_config(app.config)

    counted = case_numbers(session, since, until, now)
    cases = triage(load_cases(session, include_closed=True, arrived=(since, until)), policy, now)

    expected: dict[str, dict[str, list[int]]] = {}
    for case in cases:
        for kind in ("all", case.kind.value):
            tally = expected.setdefault(kind, {"first_response": [0, 0], "resolution": [0, 0]})
            for promise, done, due in (
                ("first_response", case.first_responded_at, case.first_response_due_at),
                ("resolution", case.resolved_at, case.resolution_due_at),
            ):
                if done is not None:
                    tally[promise][0 if done <= due else 1] += 1
                elif promise in case.overdue_for:
                    tally[promise][1] += 1
    judged = {"all": counted["promises"], **counted["by_kind"]}
    assert counted["cases"] == len(cases) > 40
    assert set(judged) == set(expected) == {"all", "return", "exchange"}
    for kind, tally in expected.items():
        for promise, (met, missed) in tally.items():
            assert (judged[kind][promise]["met"], judged[kind][promise]["missed"]) == (met, missed)
    # Every verdict shows up: the sample tells the counts apart.
    assert all(min(t) > 0 for t in expected["all"].values()), expected


def test_the_migration_gives_cases_already_filed_their_due_times(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'returns.db'}"
    upgrade(url, "0015")
    engine = create_engine(url)
    arrived = {1: "2026-11-20 03:00:00.000000", 2: "2026-11-21 12:30:00.000000"}
    with engine.begin() as connection:
        for number, at in arrived.items():
            connection.execute(
                text(
                    "INSERT INTO return_requests (id, rma, order_id, status, resolution, method,"
                    " method_details, locale, decision, restocking_fee, created_by, created_at,"
                    " updated_at) VALUES (:id, :rma, 1, 'review', 'refund', 'dropoff', '{}',"
                    " 'ja', '{}', 0, 'customer', :at, :at)"
                ),
                {"id": number, "rma": f"R-{number}", "at": at},
            )
    engine.dispose()

    upgrade(url)

    engine = create_engine(url)
    with Session(engine) as session:
        rows = session.query(ReturnRequest).order_by(ReturnRequest.id).all()
        policy = CasePolicy.from_config(Settings.from_environ().as_config())
        assert [(r.first_response_due_at, r.resolution_due_at) for r in rows] == [
            _calendar_says(policy, r) for r in rows
        ]
        # Friday 12:00 Tokyo: answered by Monday 12:00 (11-23 is Labour Thanksgiving Day, a
        # Monday, so Tuesday), decided three business days on.
        assert rows[0].first_response_due_at == tokyo(2026, 11, 24, 12)
    engine.dispose()
    command.downgrade(alembic_config(url), "0015")
