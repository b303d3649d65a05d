"""The return pages in a real browser: a return with a photo, an exchange from the picker, the
slip, the e-mail's signed link, a phone's width, and axe-core on every page in both languages."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from pypdf import PdfReader

from tests.browser.conftest import assert_accessible
from tests.shop import Inbox, Shop

pytestmark = pytest.mark.browser

PNG = base64.b64decode(  # a 1x1 image: photos are decoded, so it must be a real one
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)


def _open(page: Page, live_server: str, number: str = "#5001") -> None:
    page.goto(live_server + "/")
    page.fill("#order_number", number)
    page.fill("#contact", "hanako@example.jp")
    page.click("button[type=submit]")
    page.wait_for_url("**/order")


def _no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"


def test_a_japanese_exchange_with_a_photo_picked_from_the_variants_and_its_slip(
    browser: Browser, live_server: str, shop: Shop, tmp_path: Path
) -> None:
    shop.put_product()
    order = shop.put_order()
    line = shop.line_id(order, "L1")
    photo = tmp_path / "seam.png"
    photo.write_bytes(PNG)
    page = browser.new_page(locale="ja-JP")
    _open(page, live_server, "＃５００１")  # full-width, as a Japanese keyboard types it

    details = page.locator(f"[data-line='{line}'] .line-details")
    assert not details.is_visible()  # quantity 0: the line's fields are folded
    page.select_option(f"#quantity_{line}", "1")
    assert details.is_visible()
    page.select_option(f"#reason_{line}", "SIZE_TOO_SMALL")
    page.set_input_files(f"#photo_{line}", str(photo))
    page.check("input[name=resolution][value=exchange]")
    picker = page.locator(f"[data-line='{line}'] .picker")
    assert picker.is_visible()
    assert "在庫切れ" in picker.inner_text()
    picker.get_by_label(re.compile(r"^32")).check()
    page.check("input[name=method][value=dropoff]")
    assert not page.locator("#pickup_date").is_visible()
    page.click("button[type=submit]")
    page.wait_for_url("**/returns/R-*")

    rma = page.url.rsplit("/", 1)[-1]
    assert "セルビッジデニム 30 — 32 × 1" in page.inner_text("#replacements")
    assert "完了" not in page.inner_text("#status")
    assert "元払い" in page.inner_text("#postage")
    slip = page.request.get(live_server + page.get_attribute("#slip", "href"))
    assert slip.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(slip.body())).pages)
    assert rma in text and "返品票" in text
    assert_accessible(page)
    page.close()


def test_the_signed_link_of_the_e_mail_opens_the_return(
    browser: Browser, live_server: str, shop: Shop, inbox: Inbox
) -> None:
    order = shop.put_order()
    rma = shop.file(
        shop.customer(), [{"line_id": shop.line_id(order, "L1"), "quantity": 1, "reason": "STYLE"}]
    ).json["rma"]
    shop.run_jobs()
    mail = inbox.messages[-1]
    body = next(p for p in mail.walk() if p.get_content_type() == "text/plain")
    text = body.get_payload(decode=True).decode(body.get_content_charset())
    link = re.search(r"http://returns\.test(/r/[\w.\-]+)", text).group(1)

    page = browser.new_page(locale="en-US")  # a browser that never opened the order
    page.goto(live_server + link)
    assert page.url.endswith(f"/returns/{rma}"), page.url
    assert page.inner_text("h1") == f"返品 {rma}"  # in the language of the return
    page.goto(f"{live_server}/returns/{rma}?lang=en")
    assert page.inner_text("h1") == f"Return {rma}"
    assert "Print the return slip" in page.inner_text("#slip")
    page.close()


@pytest.mark.parametrize("width", [360, 390])
def test_a_phone_sees_every_return_page_without_sideways_scrolling(
    browser: Browser, live_server: str, shop: Shop, width: int
) -> None:
    shop.put_product()
    order = shop.put_order()
    line = shop.line_id(order, "L1")
    page = browser.new_page(locale="ja-JP", viewport={"width": width, "height": 800})
    page.goto(live_server + "/?order=%235001")
    assert page.input_value("#order_number") == "#5001"  # the shop's link fills it in
    _no_horizontal_scroll(page)
    _open(page, live_server)
    _no_horizontal_scroll(page)
    page.select_option(f"#quantity_{line}", "1")
    page.check("input[name=resolution][value=exchange]")
    _no_horizontal_scroll(page)
    page.select_option(f"#reason_{line}", "DEFECTIVE")
    # The rule for a defective item has it collected: the page selects the pickup itself.
    assert page.is_checked("input[name=method][value=pickup]")
    page.fill("#pickup_date", "2099-12-05")
    page.select_option("#pickup_slot", "14-16")
    page.check("input[name=resolution][value=refund]")
    assert "￥12,800" in page.inner_text("#summary")  # what comes back, before sending
    page.click("button[type=submit]")
    page.wait_for_url("**/returns/R-*")
    assert "12月5日（土）14時〜16時" in page.inner_text("#next-steps")
    _no_horizontal_scroll(page)
    page.close()


def test_every_return_page_passes_axe_in_both_languages(
    browser: Browser, live_server: str, shop: Shop
) -> None:
    shop.put_product()
    order = shop.put_order()
    rma = shop.file(
        shop.customer(), [{"line_id": shop.line_id(order, "L1"), "quantity": 1, "reason": "STYLE"}]
    ).json["rma"]
    page = browser.new_page(locale="ja-JP")
    _open(page, live_server)
    for lang in ("ja", "en"):
        for path in ("/", "/order", f"/returns/{rma}"):
            page.goto(f"{live_server}{path}?lang={lang}")
            assert page.get_attribute("html", "lang") == lang
            assert_accessible(page)
    page.close()
