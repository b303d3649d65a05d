"""A customer files a return through the pages, in a real browser."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.shop import Shop

pytestmark = pytest.mark.browser


def test_a_customer_opens_the_order_and_files_a_return(
    browser: Browser, live_server: str, shop: Shop, tmp_path: Path
) -> None:
    order = shop.put_order()
    line = shop.line_id(order, "L1")
    page = browser.new_page(locale="ja-JP")
    page.goto(live_server + "/")
    assert page.title().startswith("返品・交換のお申し込み")

    page.fill("#order_number", "#5001")
    page.fill("#contact", "hanako@example.jp")
    page.click("button[type=submit]")
    page.wait_for_url("**/order")
    assert "セール品のため返品できません。" in page.content()

    page.select_option(f"#quantity_{line}", "1")
    page.select_option(f"#reason_{line}", "DEFECTIVE")
    page.check("input[name=method][value=pickup]")
    page.fill("#pickup_date", "2099-12-01")  # a day ahead: the field allows no past day
    page.select_option("#pickup_slot", "14-16")
    page.click("button[type=submit]")
    page.wait_for_url("**/returns/R-*")

    assert page.inner_text("#status") == "ご返送待ち"
    assert "12月1日（火）14時〜16時に配送業者が集荷に伺います" in page.inner_text("#next-steps")
    page.screenshot(path=str(tmp_path / "return.png"), full_page=True)
    page.close()


def test_a_wrong_contact_is_told_the_same_as_an_unknown_order(
    browser: Browser, live_server: str, shop: Shop
) -> None:
    shop.put_order()
    page = browser.new_page(locale="en-US")
    page.goto(live_server + "/")
    page.fill("#order_number", "#5001")
    page.fill("#contact", "someone@example.com")
    page.click("button[type=submit]")
    assert page.inner_text("[role=alert]") == (
        "We could not find that order. Please check the order number and contact."
    )
    page.close()
