"""The staff work list shows each case's priority as a coloured tag with its due time."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser
from sqlalchemy.orm import Session

from returns_service.auth.models import Role
from tests.cases.test_cases_api import _file, backdate
from tests.shop import PASSWORD, Shop, add_staff

pytestmark = pytest.mark.browser


def test_the_work_list_shows_urgent_first_in_red_with_due_times(
    browser: Browser, live_server: str, shop: Shop, session: Session
) -> None:
    normal = _file(shop, "#5002", "5002", "L4", "UNWANTED")
    urgent = _file(shop, "#5001", "5001", "L4", "WRONG_ITEM")
    aged = _file(shop, "#5003", "5003", "L4", "SIZE_TOO_SMALL")
    backdate(session, aged, 10)
    add_staff(session, "aiko@shop.example", Role.AGENT, locale="ja")

    page = browser.new_page(locale="ja-JP")
    page.goto(live_server + "/staff/login")
    page.fill("#email", "aiko@shop.example")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/")

    rows = page.locator("#work-list tbody tr")
    assert [rows.nth(i).locator("a").inner_text() for i in range(3)] == [urgent, aged, normal]
    tags = page.locator("#work-list .priority")
    assert tags.all_inner_texts() == ["緊急", "高", "通常"]
    colours = [t.evaluate("e => getComputedStyle(e).backgroundColor") for t in tags.all()]
    assert colours == ["rgb(198, 40, 40)", "rgb(179, 89, 0)", "rgb(46, 125, 50)"]
    dues = page.locator("#work-list .due").all_inner_texts()
    assert all(re.fullmatch(r"期限 \d\d/\d\d \d\d:\d\d", due) for due in dues), dues
    assert page.locator("#work-list .due.overdue").count() == 1
    page.close()
