"""Each role's main task on the staff pages, in a real browser, in Japanese and English."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session

from returns_service.auth.models import Role
from tests.browser.conftest import assert_accessible
from tests.cases.test_cases_api import _file
from tests.shop import PASSWORD, Shop, add_staff
from tests.staff.case_helpers import pending_stop, return_with_photo

pytestmark = pytest.mark.browser

#: The words each language shows for what the tests look for.
WORDS = {
    "ja": {
        "awaiting": "ご返送待ち",
        "received": "到着",
        "done": {"検品済み", "完了"},
        "as_new": "新品同様",
        "restock": "在庫に戻す",
        "stopped": "倉庫で出荷を止めました",
        "cancelled": "取り消し",
    },
    "en": {
        "awaiting": "Waiting for your parcel",
        "received": "Received",
        "done": {"Inspected", "Completed"},
        "as_new": "As new",
        "restock": "Back to stock",
        "stopped": "The warehouse stopped the order",
        "cancelled": "Cancelled",
    },
}
LOCALES = {"ja": "ja-JP", "en": "en-US"}


def _signed_in(browser: Browser, live_server: str, email: str, lang: str, **options) -> Page:
    page = browser.new_page(locale=LOCALES[lang], **options)
    page.goto(live_server + "/staff/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/")
    return page


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_warehouse_scans_receives_and_inspects(
    browser: Browser, live_server: str, shop: Shop, session: Session, lang: str
) -> None:
    rma = _file(shop, "#5001", "5001", "L1", "DEFECTIVE")
    add_staff(session, "soko@shop.example", Role.WAREHOUSE, locale=lang)
    words = WORDS[lang]
    page = _signed_in(browser, live_server, "soko@shop.example", lang)

    expect(page.locator("#scan-code")).to_be_focused()  # autofocus lands after the load
    assert_accessible(page)
    page.keyboard.type(rma)  # what a barcode scanner does: the code, then Enter
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/staff/returns/{rma}")
    assert page.inner_text("#status") == words["awaiting"]
    page.click("#receive")
    page.wait_for_url(f"**/staff/returns/{rma}")
    assert page.inner_text("#status") == words["received"]

    condition = page.locator("select[name^=condition_]")
    assert words["as_new"] in condition.inner_text()
    condition.select_option("new")
    page.locator("select[name^=disposition_]").select_option("restock")
    assert words["restock"] in page.locator("select[name^=disposition_]").inner_text()
    assert_accessible(page)
    page.click("#inspect")
    page.wait_for_url(f"**/staff/returns/{rma}")

    assert page.inner_text("#status") in words["done"]
    page.close()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_an_agent_works_a_cancellation_waiting_for_the_warehouse(
    browser: Browser, live_server: str, shop: Shop, session: Session, lang: str
) -> None:
    stop = pending_stop(shop)
    add_staff(session, "aiko@shop.example", Role.AGENT, locale=lang)
    words = WORDS[lang]
    page = _signed_in(browser, live_server, "aiko@shop.example", lang)

    page.click(f"tr[data-ref='cancellation-{stop['id']}'] a")
    page.wait_for_url(f"**/staff/cancellations/{stop['id']}")
    assert_accessible(page)
    page.click("#take")
    page.wait_for_url(f"**/staff/cancellations/{stop['id']}")
    assert page.inner_text("#assignee") == "aiko@shop.example"
    page.check("#answer-stopped")
    page.fill("#answer-note", "倉庫に電話で確認" if lang == "ja" else "Phoned the warehouse")
    page.click("#record-answer")
    page.wait_for_url(f"**/staff/cancellations/{stop['id']}")

    assert page.inner_text("#status") == words["cancelled"]
    assert words["stopped"] in page.inner_text("#timeline")
    assert page.locator("#refund-status").count() == 1
    assert_accessible(page)
    page.close()


@pytest.mark.parametrize(("lang", "width"), [("ja", 390), ("en", 1280)])
def test_an_agent_approves_a_return_after_viewing_its_photo(
    browser: Browser, live_server: str, shop: Shop, session: Session, lang: str, width: int
) -> None:
    rma = return_with_photo(shop)
    add_staff(session, "aiko@shop.example", Role.AGENT, locale=lang)
    page = _signed_in(
        browser, live_server, "aiko@shop.example", lang, viewport={"width": width, "height": 844}
    )

    page.click(f"#work-list a:has-text('{rma}')")
    page.wait_for_url(f"**/staff/returns/{rma}")
    thumbnail = page.locator("img.thumbnail")
    thumbnail.scroll_into_view_if_needed()  # loaded lazily, once near the screen
    page.wait_for_function("img => img.complete", arg=thumbnail.element_handle())
    assert thumbnail.evaluate("img => img.naturalWidth") == 8
    with page.expect_popup() as opened:
        thumbnail.click()
    photo = opened.value
    photo.wait_for_load_state()
    assert photo.evaluate("document.contentType") == "image/png"
    photo.close()
    assert_accessible(page)
    page.fill("#approve-message", "写真を確認しました" if lang == "ja" else "Checked the photo")
    page.click("#approve")
    page.wait_for_url(f"**/staff/returns/{rma}")

    assert page.inner_text("#status") == WORDS[lang]["awaiting"]
    if width == 390:  # nothing wider than the phone's screen but the tables' own scroll
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.close()
