"""A refused return form in a real browser keeps the photo already chosen: its thumbnail is
shown beside the line, and the return is filed with it without choosing it again."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.returns.models import ReturnLine
from tests.browser.conftest import SCREENSHOTS, assert_accessible
from tests.browser.test_portal_returns_in_browser import PNG, _no_horizontal_scroll, _open
from tests.shop import Shop

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("locale", ["ja-JP", "en-US"])
def test_a_refused_form_keeps_the_photo_and_files_the_return_with_it(
    browser: Browser, live_server: str, shop: Shop, session: Session, tmp_path: Path, locale: str
) -> None:
    shop.put_product()
    order = shop.put_order()
    line = shop.line_id(order, "L1")
    photo = tmp_path / "seam.png"
    photo.write_bytes(PNG)
    page = browser.new_page(locale=locale, viewport={"width": 390, "height": 844})
    _open(page, live_server)
    page.select_option(f"#quantity_{line}", "1")
    page.select_option(f"#reason_{line}", "SIZE_TOO_SMALL")
    page.set_input_files(f"#photo_{line}", str(photo))
    page.check("input[name=resolution][value=exchange]")
    page.click("button[type=submit]")  # no replacement chosen: refused

    refusal = page.locator(f"#exchange_variant_{line}-error")
    words = {
        "ja-JP": "交換をご希望の商品をお選びください。",
        "en-US": "Please choose the replacement.",
    }
    assert refusal.inner_text() == words[locale]
    thumbnail = page.locator(f"[data-line='{line}'] .kept-photo img")
    assert thumbnail.count() == 1
    assert thumbnail.evaluate("img => img.complete && img.naturalWidth") == 1
    assert page.locator(f"[data-line='{line}'] .kept-photo input[type=checkbox]").is_visible()
    assert page.input_value(f"#quantity_{line}") == "1"  # what was chosen is still chosen
    _no_horizontal_scroll(page)
    assert_accessible(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)  # the refused form, as the customer sees it
    page.screenshot(
        path=SCREENSHOTS / f"refused-return-form-kept-photo-{locale}.png", full_page=True
    )

    page.locator(f"[data-line='{line}'] .picker").get_by_label(re.compile(r"^32")).check()
    page.click("button[type=submit]")
    page.wait_for_url("**/returns/R-*")
    session.expire_all()
    assert len(session.scalar(select(ReturnLine.photos))) == 1
    page.close()
