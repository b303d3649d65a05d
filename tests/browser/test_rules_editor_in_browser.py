"""An admin builds a rule in the structured editor, tries it, publishes it and rolls back."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy.orm import Session

from returns_service.auth.models import Role
from tests.browser.conftest import assert_accessible
from tests.shop import PASSWORD, Shop, add_staff

pytestmark = pytest.mark.browser

TEXTS = {
    "en": {"yes": "Yes", "saved": "saved", "in_force": "is in force", "reject": "Reject"},
    "ja": {"yes": "はい", "saved": "保存", "in_force": "適用", "reject": "お断りする"},
}


def _choose(page: Page, selector: str, value: str) -> None:
    """Choose in a select that updates the form at once (the editor's script sends it)."""
    with page.expect_navigation():
        page.select_option(selector, value)


@pytest.mark.parametrize(("locale", "width"), [("ja", 1280), ("en", 390)])
def test_an_admin_builds_tries_publishes_and_rolls_back_a_rule(
    browser: Browser, live_server: str, shop: Shop, session: Session, locale: str, width: int
) -> None:
    order = shop.put_order()
    filed = shop.file(
        shop.customer(), [{"line_id": shop.line_id(order, "L1"), "quantity": 1, "reason": "COLOR"}]
    )
    assert filed.json["decision"]["rule"] == "default"
    add_staff(session, "mika@shop.example", Role.ADMIN, locale=locale)
    texts = TEXTS[locale]

    page = browser.new_page(
        locale="ja-JP" if locale == "ja" else "en-US", viewport={"width": width, "height": 900}
    )
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text))
    page.goto(live_server + "/staff/rules")
    page.fill("#email", "mika@shop.example")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(live_server + "/staff/rules")
    assert page.is_hidden("#refresh-editor")  # the script updates the form itself
    assert_accessible(page)

    count = int(page.get_attribute("input[name=rule_count]", "value"))
    with page.expect_navigation():
        page.click("#add-rule")
    new = count - 1
    key = f"rules-{new}-c.0"
    # A yes/no fact gets a yes/no choice; a reason gets the reasons' list.
    _choose(page, f"select[name='{key}-fact']", "is_final_sale")
    assert texts["yes"] in page.inner_text(f"select[name='{key}-value']")
    _choose(page, f"select[name='{key}-fact']", "reason")
    _choose(page, f"select[name='{key}-op']", "in")
    page.check(f"input[name='{key}-value'][value='COLOR']")
    page.fill(f"#r{new}-name", "no_colour_returns")
    assert page.is_visible(f"#r{new}-review_reason_en")  # a new rule sends to a person
    page.select_option(f"#r{new}-outcome", "reject")
    assert page.is_hidden(f"#r{new}-review_reason_en")  # a rejection takes no reason
    page.fill(f"#r{new}-message_ja", "色による返品はお受けしておりません。")
    page.fill(f"#r{new}-message_en", "We do not take returns for colour.")
    with page.expect_navigation():
        page.click("#save-editor")
    assert texts["saved"] in page.inner_text("[role=status]")
    assert "no_colour_returns" in page.input_value("#document")  # the YAML shows the same draft

    with page.expect_navigation():
        page.click(".simulate-button")
    assert page.inner_text("#sim-changed") == "1"
    changes = page.inner_text("#sim-changes")
    assert filed.json["rma"] in changes and texts["reject"] in changes
    assert "12,800" in page.inner_text("#sim-money")
    assert_accessible(page)

    with page.expect_navigation():
        page.click(".publish-button")
    assert texts["in_force"] in page.inner_text("[role=status]")
    # The next customer is decided by it at once.
    customer = shop.customer()
    shop.client.post(f"/api/v1/returns/{filed.json['rma']}/cancel", headers=customer)
    line = {"line_id": shop.line_id(order, "L1"), "quantity": 1, "reason": "COLOR"}
    again = shop.file(customer, [line])
    assert again.json["decision"]["rule"] == "no_colour_returns", again.json

    with page.expect_navigation():
        page.click("#version-1 .rollback-button")
    assert texts["in_force"] in page.inner_text("[role=status]")
    assert "✓" in page.inner_text("#version-1")
    assert [text for text in refused if "Content Security Policy" in text] == []
    page.goto(live_server + "/staff/offers")
    assert_accessible(page)
    page.close()
