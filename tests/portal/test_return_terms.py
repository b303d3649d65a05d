"""The order page tells the truth before filing: the rules' window, method, fee and bonus,
the replacement picked from the catalogue; and it takes an order number as people type it."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import rules
from returns_service.auth.models import Role
from returns_service.returns.models import ReturnRequest
from tests.portal.pages import csrf, open_order, submission
from tests.shop import Shop, product_document


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ReturnRequest))


def test_a_published_14_day_window_hides_older_lines_with_the_rules_words(
    app: Flask, shop: Shop, session: Session, token_for: Callable[[Role], dict[str, str]]
) -> None:
    document = rules.default_rule_set()
    window = next(r for r in document["rules"] if r["name"] == "outside_return_window")
    window["condition"]["value"] = 14
    window["action"]["message"] = {
        "ja": "返品はお届けから14日以内に承っております。",
        "en": "Returns are accepted within 14 days of delivery.",
    }
    shop.publish_rules(document, token_for(Role.ADMIN))
    order = shop.put_order(delivered_days_ago=20)  # inside the 30-day setting, outside the rule
    line = shop.line_id(order, "L1")
    page = open_order(app.test_client())
    assert "返品はお届けから14日以内に承っております。" in page
    assert f'name="quantity_{line}"' not in page  # nothing to choose for it
    assert 'name="resolution"' not in page  # nothing returnable: no resolution form
    assert "ご注文の商品は、現在返品をお受けできません。" in page


def test_a_longer_published_window_is_offered_as_filing_would_take_it(
    app: Flask, shop: Shop, token_for: Callable[[Role], dict[str, str]]
) -> None:
    document = rules.default_rule_set()
    window = next(r for r in document["rules"] if r["name"] == "outside_return_window")
    window["condition"]["value"] = 45
    shop.publish_rules(document, token_for(Role.ADMIN))
    order = shop.put_order(delivered_days_ago=40)  # past the 30-day setting, inside the rule
    page = open_order(app.test_client())
    assert f'name="quantity_{shop.line_id(order, "L1")}"' in page


def test_the_terms_of_each_reason_are_shown_and_an_imposed_method_is_asked_for(
    app: Flask, shop: Shop, session: Session, token_for: Callable[[Role], dict[str, str]]
) -> None:
    document = rules.default_rule_set()
    document["rules"][-1]["action"]["restocking_fee"] = {"percent": 10}
    document["rules"][-1]["action"]["bonus_credit"] = {"percent": 5}
    shop.publish_rules(document, token_for(Role.ADMIN))
    order = shop.put_order()
    line = shop.line_id(order, "L1")
    client = app.test_client()
    page = open_order(client)
    assert "こちらで集荷に伺います。" in page and "送料は当店が負担します。" in page
    assert "￥12,800" in page  # a defective item: refunded in full
    # A change of mind: a 10 % fee comes off.
    assert "￥11,520" in page and "手数料￥1,280を差し引いた額" in page
    assert "￥640" in page  # the 5 % store credit bonus

    dropped = client.post(
        "/returns",
        data={
            "csrf": csrf(page),
            "submission": submission(page),
            f"quantity_{line}": "1",
            f"reason_{line}": "DEFECTIVE",
            "resolution": "refund",
            "method": "dropoff",
        },
    )
    assert dropped.status_code == 422
    assert "集荷を選んでください" in dropped.get_data(as_text=True)
    assert _count(session) == 0  # a drop-off never turns into a pickup nobody chose


def test_an_exchange_is_picked_from_the_products_variants_and_shown_afterwards(
    app: Flask, shop: Shop, session: Session
) -> None:
    product = shop.put_product()
    order = shop.put_order()
    line = shop.line_id(order, "L1")
    wanted, sold_out = shop.variant_id(product, "DNM-32"), shop.variant_id(product, "DNM-34")
    client = app.test_client()
    page = open_order(client)
    assert "exchange_sku" not in page  # nobody types a SKU
    assert "在庫あり（3）" in page and "在庫切れ" in page
    assert re.search(rf'value="{sold_out}"\s*disabled', page)  # sold out: not choosable
    filed = client.post(
        "/returns",
        data={
            "csrf": csrf(page),
            "submission": submission(page),
            f"quantity_{line}": "1",
            f"reason_{line}": "SIZE_TOO_SMALL",
            f"exchange_variant_{line}": str(wanted),
            "resolution": "exchange",
            "method": "dropoff",
        },
    )
    assert filed.status_code == 302, filed.get_data(as_text=True)
    shown = client.get(filed.headers["Location"]).get_data(as_text=True)
    assert "交換品" in shown and "セルビッジデニム 30 — 32 × 1" in shown
    assert session.scalar(select(ReturnRequest.resolution)).value == "exchange"
    assert "完了しました" not in shown


def test_another_product_is_offered_where_every_reasons_rule_allows_it(
    app: Flask, shop: Shop, token_for: Callable[[Role], dict[str, str]]
) -> None:
    shop.put_product()
    shop.put_product("P-CHINO", product_document([("CHN-30", "30", 9800, 4)], title="チノパン"))
    order = shop.put_order()
    line = shop.line_id(order, "L1")
    assert "チノパン" not in open_order(app.test_client())  # the default: same product only
    document = rules.default_rule_set()
    for rule in document["rules"]:
        if rule["name"] in ("shop_at_fault", "default"):
            rule["action"]["exchange_scope"] = "any_product"
    shop.publish_rules(document, token_for(Role.ADMIN))
    page = open_order(app.test_client())
    assert f'name="exchange_variant_{line}"' in page and "チノパン: 30" in page
    assert "￥3,000安く、差額は返金します" in page


def test_an_order_number_and_e_mail_are_taken_as_people_type_them(app: Flask, shop: Shop) -> None:
    shop.put_order()
    client = app.test_client()
    page = open_order(client, "＃５００１", "  Hanako@Example.JP ")
    assert "セルビッジデニム 30" in page
    prefilled = client.get("/?order=%235001").get_data(as_text=True)
    assert 'value="#5001"' in prefilled


def test_the_pages_carry_the_shops_branding(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "SHOP_LOGO_URL", "https://cdn.shop.example/logo.png")
    monkeypatch.setitem(app.config, "SHOP_COLOUR", "#aa3300")
    monkeypatch.setitem(app.config, "RETURN_POLICY_URL", "https://shop.example/returns")
    client = app.test_client()
    start = client.get("/")
    page = start.get_data(as_text=True)
    assert 'src="https://cdn.shop.example/logo.png"' in page
    assert 'href="https://shop.example/returns"' in page
    assert "img-src 'self' https://cdn.shop.example" in start.headers["Content-Security-Policy"]
    assert "--brand: #aa3300" in client.get("/brand.css").get_data(as_text=True)
