"""A customer cancels an order or a subscription in a real browser, and meets error pages."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page

from tests.browser.conftest import assert_accessible
from tests.portal.cancel_pages import SUBSCRIPTION, put_cancellable, put_subscription
from tests.shop import Shop

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _open(page: Page, base: str, number: str = "#6001", lang: str = "ja") -> None:
    page.goto(f"{base}/?lang={lang}")
    page.fill("#order_number", number)
    page.fill("#contact", "hanako@example.jp")
    page.click("button[type=submit]")
    page.wait_for_url("**/order")


def _no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _answer_warehouse(shop: Shop, page: Page, stopped: bool) -> None:
    cancellation_id = int(page.url.rsplit("/", 1)[1])
    response = shop.client.post(
        f"/api/v1/cancellations/{cancellation_id}/warehouse-result",
        json={"stopped": stopped},
        headers=shop.integration,
    )
    assert response.status_code == 200, response.json


def _cancel_whole(page: Page, reason: str = "CHANGED_MIND") -> None:
    page.click("#cancel-order")
    page.wait_for_url("**/cancel")
    page.check("input[name=scope][value=whole]")
    page.select_option("#reason", reason)
    page.click("#review")
    page.click("#confirm")
    page.wait_for_url("**/cancellations/*")


def test_a_whole_order_is_cancelled_on_a_phone_in_japanese(
    browser: Browser, live_server: str, shop: Shop
) -> None:
    put_cancellable(shop)
    page = browser.new_page(locale="ja-JP", viewport=PHONE)
    _open(page, live_server)
    page.click("#cancel-order")
    page.wait_for_url("**/cancel")
    _no_sideways_scroll(page)
    assert_accessible(page)

    page.select_option("#reason", "CHANGED_MIND")
    page.fill("#comment", "急ぎではありません")
    page.click("#review")
    assert page.inner_text("#refund-amount") == "￥145,900"
    assert page.inner_text("#refund-method") == "ご注文時のお支払い方法"
    assert_accessible(page)

    page.click("#confirm")
    page.wait_for_url("**/cancellations/*")
    assert page.get_attribute("#cancellation", "data-status") == "cancelled"
    assert "￥145,900をご注文時のお支払い方法へ返金いたします。" in page.inner_text("#outcome")
    page.set_viewport_size({"width": 360, "height": 740})
    _no_sideways_scroll(page)
    assert_accessible(page)
    page.close()


def test_some_items_are_cancelled_in_english(
    browser: Browser, live_server: str, shop: Shop
) -> None:
    order = put_cancellable(shop)
    mugs = next(line["id"] for line in order["lines"] if line["external_id"] == "L2")
    page = browser.new_page(locale="en-US")
    _open(page, live_server, lang="en")
    page.click("#cancel-order")
    page.check("input[name=scope][value=lines]")
    page.click("#review")  # no reason, no item: both said beside their fields
    assert page.inner_text("#reason-error") == "Please choose a reason."
    assert page.is_checked("input[name=scope][value=lines]")

    page.select_option(f"#quantity_{mugs}", "1")
    page.select_option("#reason", "ORDERED_BY_MISTAKE")
    page.click("#review")
    assert page.inner_text("#refund-amount") == "¥1,100"
    page.click("#confirm")
    page.wait_for_url("**/cancellations/*")
    assert "We are refunding ¥1,100" in page.inner_text("#outcome")
    assert "波佐見焼マグ × 1" in page.inner_text("#cancellation")
    page.close()


def test_a_cancellation_waits_for_the_warehouse_then_shows_its_answer(
    browser: Browser, live_server: str, shop: Shop
) -> None:
    put_cancellable(shop, fulfillment_status="packed")
    page = browser.new_page(locale="ja-JP")
    _open(page, live_server)
    _cancel_whole(page)
    assert page.get_attribute("#cancellation", "data-status") == "pending_stop"
    assert "倉庫に出荷の停止を依頼しました" in page.inner_text("#outcome")
    assert_accessible(page)

    _answer_warehouse(shop, page, stopped=True)
    # The page follows it by itself, without a reload.
    page.wait_for_selector("#cancellation[data-status=cancelled]", timeout=30000)
    assert page.inner_text("#refund-amount") == "￥145,900"
    page.close()


def test_a_cancellation_refused_by_the_warehouse_leads_to_a_return(
    browser: Browser, live_server: str, shop: Shop
) -> None:
    put_cancellable(shop, fulfillment_status="picking")
    page = browser.new_page(locale="en-US")
    _open(page, live_server, lang="en")
    _cancel_whole(page)
    _answer_warehouse(shop, page, stopped=False)
    page.reload()
    assert page.get_attribute("#cancellation", "data-status") == "refused"
    assert_accessible(page)
    page.click("#start-return")
    page.wait_for_url("**/order")
    page.close()


def _start_subscription_cancel(page: Page, reason: str) -> None:
    page.click("#cancel-subscription")
    page.wait_for_url("**/subscription/cancel")
    page.check(f"input[name=reason][value={reason}]")
    page.click("#next")
    page.wait_for_url("**/subscription/cancel/offers")


def test_a_subscriber_takes_a_pause_instead(browser: Browser, live_server: str, shop: Shop) -> None:
    put_subscription(shop)
    page = browser.new_page(locale="ja-JP", viewport=PHONE)
    _open(page, live_server, f"#{SUBSCRIPTION}-2")
    _start_subscription_cancel(page, "too_much_product")
    assert "￥3,600" in page.inner_text("[data-offer=skip_next]")
    _no_sideways_scroll(page)
    assert_accessible(page)

    pause = page.locator("[data-offer=pause]")
    pause.locator("select").select_option("2")
    pause.locator("button").click()
    page.wait_for_url("**/subscription/cancellation")
    assert page.get_attribute("#subscription-result", "data-status") == "saved"
    assert "お届けを2か月お休みし、" in page.inner_text("#change")
    assert_accessible(page)
    page.close()


def test_a_subscriber_confirms_the_cancellation(
    browser: Browser, live_server: str, shop: Shop
) -> None:
    put_subscription(shop, locale="en")
    page = browser.new_page(locale="en-US")
    _open(page, live_server, f"#{SUBSCRIPTION}-2", lang="en")
    _start_subscription_cancel(page, "too_expensive")
    assert "instead of ¥3,600" in page.inner_text("[data-offer=discount_next]")
    page.click("#confirm-cancel")
    page.wait_for_url("**/subscription/cancellation")
    assert page.inner_text("#outcome") == "Your subscription is cancelled."
    page.close()


@pytest.mark.parametrize(
    ("locale", "title"),
    [("ja-JP", "ページが見つかりません"), ("en-US", "We could not find that page")],
)
def test_an_unknown_page_is_a_page_in_the_customers_language(
    browser: Browser, live_server: str, locale: str, title: str
) -> None:
    page = browser.new_page(locale=locale)
    response = page.goto(f"{live_server}/returns/R-NOPE/nothing")
    assert response is not None and response.status == 404
    assert page.inner_text("h1") == title
    assert_accessible(page)
    page.click("#forward")
    page.wait_for_url(f"{live_server}/")
    page.close()


@pytest.mark.parametrize(
    ("locale", "lang", "wait"), [("ja-JP", "ja", "後に"), ("en-US", "en", "Please try again in")]
)
def test_too_many_attempts_say_when_to_try_again(
    browser: Browser,
    live_server: str,
    app: Flask,
    monkeypatch: pytest.MonkeyPatch,
    locale: str,
    lang: str,
    wait: str,
) -> None:
    monkeypatch.setitem(app.config, "PORTAL_RATE_LIMIT", "2 per minute")
    page = browser.new_page(locale=locale)
    for _ in range(3):
        page.goto(f"{live_server}/?lang={lang}")
        page.fill("#order_number", "#9999")
        page.fill("#contact", "nobody@example.jp")
        page.click("button[type=submit]")
    assert page.get_attribute("[data-status]", "data-status") == "429"
    assert wait in page.inner_text("#error-text")
    assert_accessible(page)
    page.close()
