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
    page.goto(live_server + "/staff/")
    page.wait_for_url("**/staff/login")
    page.fill("#email", "aiko@shop.example")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/")

    page.click(f"#review-queue a:has-text('{rma}')")
    page.wait_for_url(f"**/staff/returns/{rma}")
    assert page.inner_text("#status") == "確認中"
    page.fill("#approve-message", "写真を確認しました")
    page.click("#approve")
    page.wait_for_url(f"**/staff/returns/{rma}")

    assert page.inner_text("#status") == "ご返送待ち"
    assert "staff:aiko@shop.example — 写真を確認しました" in page.inner_text("#timeline")
    page.screenshot(path=str(tmp_path / "approved.png"), full_page=True)
    page.close()
