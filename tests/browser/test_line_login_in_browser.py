"""A customer links LINE from the order page in a phone-sized browser, in Japanese and
English; the pages pass axe-core with no serious or critical violation."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Route
from pytest_httpserver import HTTPServer

from tests.browser.conftest import assert_accessible
from tests.integrations.test_line_login import FakeLineLogin, switch_on_line_login
from tests.shop import Shop

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
WORDS = {
    "ja": ("LINEで連携する", "LINEアカウントと連携済みです。お知らせはLINEでもお届けします。"),
    "en": ("Link with LINE", "Your LINE account is linked: your updates come on LINE too."),
}


@pytest.fixture
def line_login(httpserver: HTTPServer, configure: Callable[..., None]) -> FakeLineLogin:
    """LINE Login on loopback (its authorisation screen is routed in the browser)."""
    return switch_on_line_login(httpserver, configure)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_customer_links_line_from_the_order_page(
    browser: Browser, live_server: str, shop: Shop, line_login: FakeLineLogin, lang: str
) -> None:
    button, linked = WORDS[lang]
    shop.put_order()
    page = browser.new_page(locale="ja-JP" if lang == "ja" else "en-US", viewport=PHONE)
    page.goto(f"{live_server}/?lang={lang}")
    page.fill("#order_number", "#5001")
    page.fill("#contact", "hanako@example.jp")
    page.click("button[type=submit]")
    page.wait_for_url("**/order")
    offer = page.locator("#line-link")
    assert offer.inner_text().count(button) == 1
    assert_accessible(page)

    asked: list[str] = []

    def at_line(route: Route) -> None:  # no outside network: LINE's screen stands in here
        asked.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<title>LINE</title>")

    page.route("https://access.line.me/**", at_line)
    offer.get_by_role("link", name=button).click()
    page.wait_for_url("https://access.line.me/**")
    query = {key: values[0] for key, values in parse_qs(urlsplit(asked[0]).query).items()}
    assert query["ui_locales"] == lang
    line_login.nonce = query["nonce"]

    page.goto(f"{live_server}/line/callback?code=auth-code&state={query['state']}")
    page.wait_for_url("**/order")
    assert page.locator("#line-link").inner_text().strip() == linked
    assert_accessible(page)
    page.close()
