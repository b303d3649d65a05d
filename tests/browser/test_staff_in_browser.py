"""A staff member signs in and approves a return in review, in a real browser."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser
from sqlalchemy.orm import Session

from returns_service.auth.models import Role
from tests.shop import PASSWORD, Shop, add_staff

pytestmark = pytest.mark.browser


def test_an_agent_signs_in_and_approves_a_review(
    browser: Browser, live_server: str, shop: Shop, session: Session, tmp_path: Path
) -> None:
    order = shop.put_order()
    rma = shop.file(
        shop.customer(),
        [{"line_id": shop.line_id(order, "L4"), "quantity": 1, "reason": "UNWANTED"}],
    ).json["rma"]
    add_staff(session, "aiko@shop.example", Role.AGENT, locale="ja")

    page = browser.new_page(locale="ja-JP")
    refused = []  # anything the Content-Security-Policy blocked
    page.on("console", lambda message: refused.append(message.text))
    page.goto(live_server + "/staff/")
    page.wait_for_url("**/staff/login")
    page.fill("#email", "aiko@shop.example")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/")

    page.click(f"#work-list a:has-text('{rma}')")
    page.wait_for_url(f"**/staff/returns/{rma}")
    assert page.inner_text("#status") == "確認中"
    page.fill("#approve-message", "写真を確認しました")
    page.click("#approve")
    page.wait_for_url(f"**/staff/returns/{rma}")

    assert page.inner_text("#status") == "ご返送待ち"
    assert "staff:aiko@shop.example — 写真を確認しました" in page.inner_text("#timeline")
    # The stylesheet loads under the page's policy: the header is dark, nothing was refused.
    assert page.eval_on_selector("header", "e => getComputedStyle(e).backgroundColor") == (
        "rgb(29, 36, 48)"
    )
    assert [text for text in refused if "Content Security Policy" in text] == []
    page.screenshot(path=str(tmp_path / "approved.png"), full_page=True)
    page.close()


def test_a_copied_session_cookie_stops_working_after_sign_out(
    browser: Browser, live_server: str, session: Session
) -> None:
    add_staff(session, "aiko@shop.example", Role.AGENT, locale="en")
    mine = browser.new_context(locale="en-US")
    page = mine.new_page()
    page.goto(live_server + "/staff/login")
    page.fill("#email", "aiko@shop.example")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/")
    copied = browser.new_context(locale="en-US")
    copied.add_cookies(mine.cookies())
    other = copied.new_page()
    other.goto(live_server + "/staff/")
    assert other.url.endswith("/staff/")  # the copy works while the session lives

    page.click("#sign-out")
    page.wait_for_url("**/staff/login")
    other.goto(live_server + "/staff/")
    assert other.url.endswith("/staff/login")
    mine.close()
    copied.close()
