"""A customer answers the survey with one click on a score in the e-mail, in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser
from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.cases.models import CaseFile
from tests.cases.test_satisfaction_survey import _closed_return, _links
from tests.shop import Inbox, Shop

pytestmark = pytest.mark.browser


def test_one_click_on_a_score_answers_under_the_pages_security_policy(
    browser: Browser, live_server: str, shop: Shop, inbox: Inbox, session: Session
) -> None:
    _closed_return(shop, session)
    shop.run_jobs()
    link = _links(inbox)[4].replace("http://returns.test", live_server)
    refused = []
    page = browser.new_page(locale="ja-JP")
    page.on("console", lambda message: refused.append(message.text))

    page.goto(link)
    page.wait_for_selector("#result", timeout=10_000)

    assert page.get_attribute("#result", "data-state") == "thanks"
    assert "ありがとうございました" in page.inner_text("#result")
    assert not [text for text in refused if "Content Security Policy" in text], refused
    session.expire_all()
    assert session.scalar(select(CaseFile.survey_score)) == 4
    page.close()
