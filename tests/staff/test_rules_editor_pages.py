"""The rules pages' simulation (changed requests and money), the cancellation rules pages
and the subscription offers page."""

from __future__ import annotations

import html
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from babel.numbers import format_currency
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

import rules
from returns_service.auth.models import Role
from returns_service.cancellations.models import Cancellation
from returns_service.returns.models import ReturnLine, ReturnRequest
from returns_service.rulesets.models import RuleSetActivation, RuleSetStatus, RuleSetVersion
from returns_service.subscriptions.models import CancelReason
from returns_service.subscriptions.offers import DEFAULT_OFFERS, offers_for
from tests.cancellations.conftest import cancellable_document
from tests.shop import Shop, add_staff, csrf, sign_in
from tests.staff.page_forms import element, form_fields


def _admin(app: Flask, session: Session, locale: str = "en") -> FlaskClient:
    add_staff(session, f"boss-{locale}@shop.example", Role.ADMIN, locale=locale)
    return sign_in(app.test_client(), f"boss-{locale}@shop.example")


def _refuse_everything(scope: str) -> str:
    message = {"ja": "お受けできません。", "en": "We cannot accept this."}
    return rules.dump_rule_set(
        {
            "name": "refuse everything",
            "scope": scope,
            "rules": [{"name": "no", "action": {"outcome": "reject", "message": message}}],
        }
    )


def _draft(client: FlaskClient, path: str, text: str) -> tuple[int, str]:
    page = client.get(path).get_data(as_text=True)
    response = client.post(path + "/drafts", data={"csrf": csrf(page), "document": text})
    assert response.status_code == 302, response.get_data(as_text=True)
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    return int(re.search(rf"{path}/drafts/(\d+)/simulate", shown).group(1)), shown


def _simulate(client: FlaskClient, path: str, draft: int, page: str, **period: str) -> str:
    data = {"csrf": csrf(page), "span": "last", "last": "50", **period}
    response = client.post(f"{path}/drafts/{draft}/simulate", data=data)
    assert response.status_code == 200, response.get_data(as_text=True)
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("locale", ["en", "ja"])
def test_the_simulation_lists_changed_requests_and_the_money(
    app: Flask, session: Session, shop: Shop, locale: str
) -> None:
    order = shop.put_order()
    customer = shop.customer()
    for line, reason in (("L4", "UNWANTED"), ("L1", "DEFECTIVE")):
        filed = shop.file(
            customer, [{"line_id": shop.line_id(order, line), "quantity": 1, "reason": reason}]
        )
        assert filed.status_code == 201, filed.json
    approved = session.execute(
        select(ReturnRequest.rma, ReturnLine.decision)
        .join(ReturnLine.request)
        .where(ReturnLine.decision["outcome"].as_string() == "approve")
    ).one()
    refund = approved.decision["facts"]["line_total"]
    client = _admin(app, session, locale)
    draft, page = _draft(client, "/staff/rules", _refuse_everything("return"))

    shown = _simulate(client, "/staff/rules", draft, page)

    assert re.search(r'id="sim-changed">2<', shown)
    changes = element(shown, "sim-changes", "table")
    for rma in session.scalars(select(ReturnRequest.rma)):
        assert f'href="/staff/returns/{rma}"' in changes
    approve, reject = ("承認する", "お断りする") if locale == "ja" else ("Approve", "Reject")
    assert f"{approve} <span" in changes and f"→ {reject} <span" in changes
    money = element(shown, "sim-money", "table")
    written = format_currency(refund, "JPY", locale=locale)
    assert written in money  # a refund no longer issued
    assert f"−{written}" in money


def test_the_simulation_takes_a_period(app: Flask, session: Session, shop: Shop) -> None:
    order = shop.put_order()
    filed = shop.file(
        shop.customer(), [{"line_id": shop.line_id(order, "L1"), "quantity": 1, "reason": "COLOR"}]
    )
    assert filed.status_code == 201
    client = _admin(app, session)
    draft, page = _draft(client, "/staff/rules", _refuse_everything("return"))
    today = datetime.now(ZoneInfo(app.config["TIMEZONE"])).date().isoformat()
    shown = _simulate(client, "/staff/rules", draft, page, span="period", since=today, until=today)
    assert re.search(r'id="sim-total">1<', shown)
    shown = _simulate(
        client, "/staff/rules", draft, page, span="period", since="2020-01-01", until="2020-01-31"
    )
    assert re.search(r'id="sim-total">0<', shown)


def test_cancellation_rules_have_the_same_pages(app: Flask, session: Session, shop: Shop) -> None:
    response = shop.client.put(
        "/api/v1/orders/6001", json=cancellable_document(), headers=shop.integration
    )
    assert response.status_code in (200, 201), response.json
    customer = shop.customer("#6001")
    cancelled = shop.client.post(
        "/api/v1/cancellations", json={"reason": "CHANGED_MIND"}, headers=customer
    )
    assert cancelled.status_code == 201, cancelled.json
    cancellation = session.scalars(select(Cancellation)).one()
    client = _admin(app, session)
    page = html.unescape(client.get("/staff/cancellation-rules").get_data(as_text=True))
    editor = form_fields(page, "rule-editor")
    assert editor["scope"] == "cancellation"
    assert "Made to order" in page and "Return reason" not in page

    draft, page = _draft(client, "/staff/cancellation-rules", _refuse_everything("cancellation"))
    shown = _simulate(client, "/staff/cancellation-rules", draft, page)
    assert f'href="/staff/cancellations/{cancellation.id}"' in shown
    total = cancellation.decision["facts"]["order_total"]
    assert f"−{format_currency(total, 'JPY', locale='en')}" in element(shown, "sim-money", "table")

    published = client.post(
        f"/staff/cancellation-rules/drafts/{draft}/publish", data={"csrf": csrf(page)}
    )
    assert published.status_code == 302
    session.expire_all()
    in_force = session.scalar(select(RuleSetActivation).order_by(RuleSetActivation.id.desc()))
    assert in_force.version_id == draft
    first = session.scalar(
        select(RuleSetVersion).where(
            RuleSetVersion.scope == "cancellation", RuleSetVersion.number == 1
        )
    )
    back = client.post(
        f"/staff/cancellation-rules/versions/{first.id}/publish", data={"csrf": csrf(page)}
    )
    assert back.status_code == 302
    session.expire_all()
    in_force = session.scalar(select(RuleSetActivation).order_by(RuleSetActivation.id.desc()))
    assert in_force.version_id == first.id
    # A return rule's version is not found under the cancellation pages.
    wrong = client.post(f"/staff/rules/drafts/{draft}/publish", data={"csrf": csrf(page)})
    assert wrong.status_code == 404


@pytest.mark.parametrize("locale", ["en", "ja"])
def test_a_return_fact_is_refused_in_cancellation_rules(
    app: Flask, session: Session, locale: str
) -> None:
    client = _admin(app, session, locale)
    page = client.get("/staff/cancellation-rules").get_data(as_text=True)
    fields = form_fields(page, "rule-editor")
    fields["rules-0-c.0-fact"] = "reason"
    fields["rules-0-c.0-op"] = "=="
    fields["rules-0-c.0-value"] = "UNWANTED"
    fields["do"] = "save"
    response = client.post("/staff/cancellation-rules/editor", data=fields)
    assert response.status_code == 422
    condition = element(html.unescape(response.get_data(as_text=True)), "cond-0-c-0")
    expected = {
        "en": "This fact cannot be used in these rules.",
        "ja": "この項目はこのルールでは使えません。",
    }
    assert expected[locale] in condition
    drafts = select(RuleSetVersion).where(RuleSetVersion.status == RuleSetStatus.DRAFT)
    assert session.scalars(drafts).all() == []


def test_offers_are_edited_per_reason(app: Flask, session: Session) -> None:
    client = _admin(app, session, "ja")
    page = client.get("/staff/offers").get_data(as_text=True)
    assert "次回のお届けを20%オフにする" in page  # the shipped discount, titled for the customer
    reason = CancelReason.TOO_EXPENSIVE.value
    fields = form_fields(page, f"offers-form-{reason}")
    fields["offers-0-percent"] = "500"
    fields["do"] = "save"
    refused = client.post(f"/staff/offers/{reason}", data=fields)
    assert refused.status_code == 422
    offer = element(html.unescape(refused.get_data(as_text=True)), f"offer-{reason}-0")
    assert "割引率は1〜100で入力してください。" in offer
    assert offers_for(session, CancelReason.TOO_EXPENSIVE)[1] is None  # nothing saved

    fields["offers-0-percent"] = "30"
    fields["do"] = "add"
    added = client.post(f"/staff/offers/{reason}", data=fields).get_data(as_text=True)
    fields = form_fields(added, f"offers-form-{reason}")
    fields["offers-1-type"] = "pause"
    fields["offers-1-months"] = "1, 2"
    fields["do"] = "save"
    saved = client.post(f"/staff/offers/{reason}", data=fields)
    assert saved.status_code == 302
    session.expire_all()
    offers, chosen = offers_for(session, CancelReason.TOO_EXPENSIVE)
    assert chosen.updated_by == "staff:boss-ja@shop.example"
    assert offers == [
        {"id": "discount_next", "type": "discount", "percent": 30, "deliveries": 1},
        {"id": "offer_2", "type": "pause", "months": [1, 2]},
    ]

    page = client.get("/staff/offers").get_data(as_text=True)
    fields = form_fields(page, f"offers-form-{reason}")
    fields["do"] = "reset"
    assert client.post(f"/staff/offers/{reason}", data=fields).status_code == 302
    session.expire_all()
    assert offers_for(session, CancelReason.TOO_EXPENSIVE) == (
        DEFAULT_OFFERS[CancelReason.TOO_EXPENSIVE],
        None,
    )
