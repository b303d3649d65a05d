"""The jump alert on a fixed history: the numbers the rule gives, checked by hand."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.auth.models import Role
from returns_service.extensions import db, jobs
from returns_service.insight.jobs import insight_round
from returns_service.insight.jumps import announce_jumps, find_jumps
from returns_service.insight.models import JumpAlert
from returns_service.insight.stats import binomial_tail, poisson_tail
from returns_service.models import utcnow
from returns_service.returns.models import ReturnStatus
from tests.insight.history import TOKYO, give_back, sell, tokyo
from tests.shop import Inbox, Shop, Subscriber, add_staff

TODAY = date(2026, 12, 1)  # window: 11-24 .. 11-30; baseline: 10-27 .. 11-23


def test_tails_match_values_worked_out_by_hand() -> None:
    # P(X >= 8), X ~ Poisson(2.5): 1 - e^-2.5 (1 + 2.5 + 2.5²/2 + ... + 2.5⁷/7!)
    by_hand = 1 - math.exp(-2.5) * sum(2.5**i / math.factorial(i) for i in range(8))
    assert poisson_tail(8, 2.5) == pytest.approx(by_hand) == pytest.approx(0.0042467, abs=1e-7)
    # P(X >= 6), X ~ Binomial(8, 0.1): 28·0.1⁶·0.9² + 8·0.1⁷·0.9 + 0.1⁸
    assert binomial_tail(6, 8, 0.1) == pytest.approx(2.341e-5)
    assert poisson_tail(0, 3.0) == 1.0 and poisson_tail(2, 0.0) == 0.0
    assert binomial_tail(9, 8, 0.5) == 0.0


@pytest.fixture
def history(app: Flask, session: Session) -> Iterator[None]:
    """Mugs: 200 sold and 10 returned before, 50 sold and 8 returned (6 defective) now."""
    mug_before = sell(session, "MUG", 200, tokyo(2026, 11, 1, 12))
    give_back(session, mug_before, tokyo(2026, 11, 10, 12), ("DEFECTIVE", 1, "欠けていました"))
    give_back(session, mug_before, tokyo(2026, 11, 12, 12), ("UNWANTED", 8, ""))
    # Late on the baseline's last day in Tokyo (already 11-23 14:30 in UTC).
    give_back(session, mug_before, tokyo(2026, 11, 23, 23, 30), ("UNWANTED", 1, ""))
    mug_now = sell(session, "MUG", 50, tokyo(2026, 11, 25, 9))
    give_back(
        session,
        mug_now,
        tokyo(2026, 11, 27, 12),
        ("DEFECTIVE", 6, "取っ手にひびが入っていました"),
        ("UNWANTED", 1, ""),
    )
    # Just after midnight in Tokyo on the window's first day (still 11-23 in UTC).
    give_back(session, mug_now, tokyo(2026, 11, 24, 0, 30), ("UNWANTED", 1, ""))
    # Withdrawn by the customer, and filed today (after the window): neither counts.
    give_back(
        session,
        mug_now,
        tokyo(2026, 11, 28, 12),
        ("DEFECTIVE", 5, ""),
        status=ReturnStatus.CANCELLED,
    )
    give_back(session, mug_now, tokyo(2026, 12, 1, 9), ("DEFECTIVE", 5, ""))
    # Kettles: 5 of 100 before, 4 of 40 now: more, but well within chance.
    kettle_before = sell(session, "KETTLE", 100, tokyo(2026, 11, 2, 12))
    give_back(session, kettle_before, tokyo(2026, 11, 15, 12), ("UNWANTED", 5, ""))
    kettle_now = sell(session, "KETTLE", 40, tokyo(2026, 11, 26, 12))
    give_back(session, kettle_now, tokyo(2026, 11, 29, 12), ("UNWANTED", 4, ""))
    # A new product: no baseline to compare with.
    tee = sell(session, "TEE", 10, tokyo(2026, 11, 25, 12))
    give_back(session, tee, tokyo(2026, 11, 28, 12), ("SIZE_TOO_SMALL", 5, ""))
    session.commit()
    yield


@pytest.mark.usefixtures("history")
def test_jumps_on_a_fixed_history(session: Session) -> None:
    jumps = find_jumps(session, TODAY, TOKYO)

    assert [(j.sku, j.metric, j.reason) for j in jumps] == [
        ("MUG", "return_rate", ""),
        ("MUG", "reason_share", "DEFECTIVE"),
    ]
    rate, share = jumps
    # 8 returned of 50 sold; baseline 10 of 200 = 0.05, so 2.5 expected.
    assert (rate.observed, rate.trials, rate.baseline_rate, rate.expected) == (8, 50, 0.05, 2.5)
    assert rate.p_value == pytest.approx(0.0042467, abs=1e-7)
    # 6 of the 8 returned defective; baseline 1 of 10 = 0.1.
    assert (share.observed, share.trials, share.baseline_rate) == (6, 8, 0.1)
    assert share.p_value == pytest.approx(2.341e-5)
    assert (rate.window_start, rate.window_end) == (date(2026, 11, 24), date(2026, 11, 30))


def test_a_rise_within_chance_is_not_an_alert(session: Session, app: Flask) -> None:
    kettle_before = sell(session, "KETTLE", 100, tokyo(2026, 11, 2, 12))
    give_back(session, kettle_before, tokyo(2026, 11, 15, 12), ("UNWANTED", 5, ""))
    kettle_now = sell(session, "KETTLE", 40, tokyo(2026, 11, 26, 12))
    give_back(session, kettle_now, tokyo(2026, 11, 29, 12), ("UNWANTED", 4, ""))
    session.commit()
    # P(X >= 4 | Poisson(2)) = 0.1429: not below 0.01.
    assert find_jumps(session, TODAY, TOKYO) == []


@pytest.mark.usefixtures("history")
def test_each_jump_is_announced_once_by_email_and_webhook(
    app: Flask, shop: Shop, inbox: Inbox, subscriber: Subscriber, session: Session
) -> None:
    add_staff(session, "aoi@shop.example", Role.AGENT, locale="ja")
    subscriber.subscribe("product.return_rate_jump")
    now = tokyo(2026, 12, 1, 9, 0)
    with app.app_context():
        assert len(announce_jumps(db.session, now, TOKYO)) == 2
        db.session.commit()
        assert announce_jumps(db.session, now, TOKYO) == []  # the same window again
        db.session.commit()
        # The worker's own daily look (for the real today) is not what this test is about.
        real_today = utcnow().astimezone(TOKYO).date()
        jobs.redis.set(f"{app.config['REDIS_KEY_PREFIX']}jumps-checked:{real_today}", "1")
    shop.run_jobs()

    assert subscriber.events() == ["product.return_rate_jump"] * 2
    data = subscriber.data("product.return_rate_jump")
    assert data == {
        "sku": "MUG",
        "metric": "return_rate",
        "reason": None,
        "observed": 8,
        "trials": 50,
        "baseline_rate": 0.05,
        "expected": 2.5,
        "p_value": 0.004247,
        "window_start": "2026-11-24",
        "window_end": "2026-11-30",
    }
    assert inbox.subjects("aoi@shop.example") == ["【返品率の急増】2件の商品で返品が増えています"]
    assert len(session.scalars(select(JumpAlert)).all()) == 2


@pytest.mark.usefixtures("history")
def test_the_workers_look_once_a_shop_day(app: Flask, session: Session) -> None:

    with app.app_context():
        insight_round(db.session, tokyo(2026, 12, 1, 9, 0), app.config, jobs.redis)
        assert len(db.session.scalars(select(JumpAlert)).all()) == 2
        db.session.query(JumpAlert).delete()
        db.session.commit()
        # Later the same day in Tokyo: already looked.
        insight_round(db.session, tokyo(2026, 12, 1, 23, 0), app.config, jobs.redis)
        assert db.session.scalars(select(JumpAlert)).all() == []
