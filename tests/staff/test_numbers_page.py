"""The numbers page shows the promises kept and the survey answers, in the staff's language."""

from __future__ import annotations

from datetime import timedelta

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
    assert "<th>All cases</th><td>2</td><td>3.5</td><td>50.0 %</td>" in english
    assert "<td>Urgent</td><td>1</td><td>5.0</td><td>100.0 %</td>" in english
    assert "<td>Normal</td><td>1</td><td>2.0</td><td>0.0 %</td>" in english


def test_the_numbers_page_says_when_no_survey_was_answered(
    app: Flask, session: Session, shop: Shop
) -> None:
    add_staff(session, "aiko@shop.example", Role.AGENT)
    agent = sign_in(app.test_client(), "aiko@shop.example")

    page = agent.get("/staff/numbers").get_data(as_text=True)

    assert 'id="satisfaction-none"' in page
    assert "0 cases" in page
