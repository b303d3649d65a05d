"""The numbers page shows the promises kept and the survey answers, in the staff's language."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.auth.models import Role
from returns_service.cases.models import CaseFile
from returns_service.models import utcnow
from returns_service.returns.models import ReturnRequest
from tests.cases.test_cases_api import _file
from tests.shop import Shop, add_staff, sign_in


def _answered(session: Session, scores: dict[int, int]) -> None:
    answered_at = utcnow() - timedelta(hours=1)
    for subject_id, score in scores.items():
        session.add(
            CaseFile(
                subject_type="return",
                subject_id=subject_id,
                survey_scale="csat",
                survey_sent_at=answered_at,
                survey_score=score,
                survey_answered_at=answered_at,
                created_at=answered_at,
            )
        )
    session.commit()


def test_the_numbers_page_shows_promises_kept_and_satisfaction(
    app: Flask, session: Session, shop: Shop
) -> None:
    _file(shop, "#5001", "5001", "L4", "WRONG_ITEM")
    _file(shop, "#5002", "5002", "L4", "UNWANTED")
    ids = sorted(session.scalars(select(ReturnRequest.id)))
    _answered(session, {ids[0]: 5, ids[1]: 2})
    add_staff(session, "aiko@shop.example", Role.AGENT, locale="ja")
    agent = sign_in(app.test_client(), "aiko@shop.example")

    japanese = agent.get("/staff/numbers").get_data(as_text=True)
    english = agent.get("/staff/numbers?lang=en").get_data(as_text=True)

    assert "お約束した対応期限の達成状況" in japanese and "満足度（1〜5）" in japanese
    assert "Promised response times kept" in english and "2 cases" in english
    # (5 + 2) / 2 = 3.5; one of the two answered 4 or 5.
    row = '<tr><th scope="row">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>'
    assert row.format("All cases", "", 2, "3.5", "50.0%") in english
    assert row.format("By priority", "Urgent", 1, "5.0", "100.0%") in english
    assert row.format("By priority", "Normal", 1, "2.0", "0.0%") in english
    exported = agent.get("/staff/numbers/satisfaction-csat.csv").get_data().decode("utf-8-sig")
    assert "All cases,,2,3.50,50.0%" in exported.splitlines()


def test_the_numbers_page_says_when_no_survey_was_answered(
    app: Flask, session: Session, shop: Shop
) -> None:
    add_staff(session, "aiko@shop.example", Role.AGENT)
    agent = sign_in(app.test_client(), "aiko@shop.example")

    page = agent.get("/staff/numbers").get_data(as_text=True)

    assert 'id="satisfaction-none"' in page
    assert "0 cases" in page


def test_the_numbers_page_draws_charts_and_exports_each_table_as_csv(
    app: Flask, session: Session, shop: Shop
) -> None:
    order = shop.put_order()
    customer = shop.customer()
    shop.file(
        customer, [{"line_id": shop.line_id(order, "L2"), "quantity": 1, "reason": "UNWANTED"}]
    )
    shop.file(customer, [{"line_id": shop.line_id(order, "L3"), "quantity": 1, "reason": "STYLE"}])
    shop.run_jobs()
    add_staff(session, "aiko@shop.example", Role.AGENT, locale="ja")
    agent = sign_in(app.test_client(), "aiko@shop.example")

    japanese = agent.get("/staff/numbers").get_data(as_text=True)
    english = agent.get("/staff/numbers?lang=en").get_data(as_text=True)

    assert japanese.count('<svg class="chart" role="img"') == 11
    assert ">レポート</a>" in japanese and ">数字<" not in japanese
    assert "波佐見焼マグ" in japanese  # products by name, not only by SKU
    assert '<th scope="row">お断り</th>' in japanese  # decisions in words, not codes
    assert "<td>reject</td>" not in english and "Rejected" in english
    assert "￥1,100" in japanese  # the mug's refund, as money
    today = utcnow().astimezone(ZoneInfo(app.config["TIMEZONE"])).date()
    assert f'value="{(today - timedelta(days=29)).isoformat()}"' in english

    since = today - timedelta(days=10)
    exported = agent.get(f"/staff/numbers/rate-by-product.csv?lang=ja&since={since}&until={today}")
    assert exported.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert f"rate-by-product_{since}_{today}.csv" in exported.headers["Content-Disposition"]
    body = exported.get_data()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["商品コード", "商品", "販売数", "返品数", "返品率"]
    assert ["MUG", "波佐見焼マグ", "2", "1", "50.0%"] in rows
    money = agent.get("/staff/numbers/money.csv?lang=en").get_data().decode("utf-8-sig")
    assert "Refund,JPY,1,1100" in money
    assert agent.get("/staff/numbers/nothing.csv").status_code == 404


def test_a_period_that_ends_before_it_starts_shows_the_last_30_days(
    app: Flask, session: Session
) -> None:
    add_staff(session, "aiko@shop.example", Role.AGENT)
    agent = sign_in(app.test_client(), "aiko@shop.example")

    page = agent.get("/staff/numbers?since=2026-03-01&until=2026-02-01")
    wrong = agent.get("/staff/numbers?since=yesterday")

    assert page.status_code == 200 and "The first day comes after the last day" in page.get_data(
        as_text=True
    )
    assert "Give the dates as year, month and day." in wrong.get_data(as_text=True)
    chosen = agent.get("/staff/numbers?since=2025-01-01&until=2025-12-31").get_data(as_text=True)
    assert 'value="2025-01-01"' in chosen and chosen.count('<tr><th scope="row">2025-') == 365
