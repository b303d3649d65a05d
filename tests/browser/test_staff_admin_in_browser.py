"""An admin, in a real browser: exports a table of the reports as CSV, adds a staff account,
an API token and a webhook endpoint, retries a failed job; in Japanese and English, and on
a phone."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.auth.models import ApiToken, Role, StaffUser
from returns_service.notifications.models import WebhookEndpoint
from returns_service.outbox import MessageStatus, OutboxMessage
from tests.browser.conftest import assert_accessible
from tests.shop import PASSWORD, Shop, add_staff
from tests.staff.admin_seed import endpoint_with_failure, failed_job

pytestmark = pytest.mark.browser

#: What each language reads where the test looks.
WORDS = {
    "ja": {"reports": "レポート", "product": "商品", "admin": "管理", "added": "のパスワード"},
    "en": {
        "reports": "Reports",
        "product": "Product",
        "admin": "Administration",
        "added": "The password of",
    },
}


def _seed(shop: Shop, session: Session, lang: str) -> OutboxMessage:
    order = shop.put_order()
    shop.file(
        shop.customer(),
        [{"line_id": shop.line_id(order, "L2"), "quantity": 1, "reason": "UNWANTED"}],
    )
    shop.run_jobs()
    add_staff(session, "boss@shop.example", Role.ADMIN, locale=lang)
    endpoint_with_failure(session, "https://hooks.example.jp/returns")
    return failed_job(session, "warehouse_sync_stock", "LOGILESS answered 503")


def _sign_in(page: Page, base: str) -> None:
    page.goto(base + "/staff/login")
    page.fill("#email", "boss@shop.example")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_an_admin_exports_a_table_adds_an_account_and_a_token_and_retries_a_job(
    browser: Browser, live_server: str, shop: Shop, session: Session, lang: str, tmp_path: Path
) -> None:
    job = _seed(shop, session, lang)
    words = WORDS[lang]
    context = browser.new_context(
        locale="ja-JP" if lang == "ja" else "en-US", accept_downloads=True
    )
    page = context.new_page()
    _sign_in(page, live_server)

    page.click(f"header a:has-text('{words['reports']}')")
    page.wait_for_url("**/staff/numbers")
    assert page.locator("svg.chart").count() == 11
    assert_accessible(page)
    with page.expect_download() as download:
        page.click("#csv-rate-by-product")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    raw = saved.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][1] == words["product"]
    assert any(row[:2] == ["MUG", "波佐見焼マグ"] for row in rows)

    page.click(f"header a:has-text('{words['admin']}')")
    page.wait_for_url("**/staff/admin/users")
    assert_accessible(page)
    page.fill("#email", "new.agent@shop.example")
    page.fill("#name", "新井")
    page.select_option("#role", "agent")
    page.click("#create-user")
    assert words["added"] in page.inner_text("#shown-password")
    assert len(page.inner_text("#password")) >= 12
    created = session.scalar(select(StaffUser).where(StaffUser.email == "new.agent@shop.example"))
    assert created is not None and created.role is Role.AGENT

    page.click("nav.admin-nav a[href='/staff/admin/tokens']")
    page.fill("#name", "LOGILESS")
    page.select_option("#role", "warehouse")
    page.click("#create-token")
    assert page.inner_text("#token").startswith("rsk_")
    assert_accessible(page)
    made = session.scalar(select(ApiToken).where(ApiToken.name == "LOGILESS"))
    assert made is not None and made.role is Role.WAREHOUSE

    page.click("nav.admin-nav a[href='/staff/admin/webhooks']")
    page.fill("#url", "https://erp.example.com/hooks")
    page.check("input[name=events][value='refund.issued']")
    page.click("#create-endpoint")
    assert len(page.inner_text("#secret")) >= 32
    assert_accessible(page)
    added = session.scalar(
        select(WebhookEndpoint).where(WebhookEndpoint.url == "https://erp.example.com/hooks")
    )
    assert added is not None and added.events == ["refund.issued"]
    page.click(f"#switch-off-{added.id}")
    page.wait_for_selector(f"#switch-on-{added.id}")
    session.refresh(added)
    assert not added.active
    page.click("nav.admin-nav a[href='/staff/admin/integrations']")
    assert_accessible(page)

    page.click("nav.admin-nav a[href='/staff/admin/jobs']")
    assert "LOGILESS answered 503" in page.inner_text(f"#job-{job.id}")
    assert_accessible(page)
    page.click(f"#retry-{job.id}")
    page.wait_for_url("**/staff/admin/jobs?retried=*")
    assert job.id in page.inner_text("[role=status]")
    session.expire_all()
    assert session.get(OutboxMessage, job.id).status is not MessageStatus.FAILED
    context.close()


def test_the_reports_and_admin_pages_fit_a_phone(
    browser: Browser, live_server: str, shop: Shop, session: Session
) -> None:
    _seed(shop, session, "ja")
    page = browser.new_page(locale="ja-JP", viewport={"width": 390, "height": 844})
    _sign_in(page, live_server)
    for path in (
        "/staff/numbers",
        "/staff/admin/users",
        "/staff/admin/jobs",
        "/staff/admin/webhooks",
    ):
        page.goto(live_server + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width}px wide on a 390px screen"
        assert_accessible(page)
    page.close()
