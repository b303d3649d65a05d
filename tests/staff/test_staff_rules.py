"""The rules page: save a draft, see its mistakes, try it on past returns, publish, roll back."""

from __future__ import annotations

import html
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import rules
from returns_service.auth.models import Role
from returns_service.models import utcnow
from returns_service.returns.models import ReturnRequest
from returns_service.rulesets import operations as rule_sets
from returns_service.rulesets.models import RuleSetActivation, RuleSetStatus, RuleSetVersion
from tests.shop import Shop, add_staff, csrf, sign_in

INVALID = """\
name: broken
rules:
  - name: odd
    action:
      outcome: maybe
"""


def _admin(app: Flask, session: Session) -> FlaskClient:
    add_staff(session, "boss@shop.example", Role.ADMIN)
    return sign_in(app.test_client(), "boss@shop.example")


def _approve_everything() -> str:
    document = rules.default_rule_set()
    document["name"] = "approve everything"
    document["rules"] = [{"name": "everything", "action": {"outcome": "approve"}}]
    return rules.dump_rule_set(document)


def _save(client: FlaskClient, text: str) -> tuple[int, str]:
    page = client.get("/staff/rules").get_data(as_text=True)
    response = client.post("/staff/rules/drafts", data={"csrf": csrf(page), "document": text})
    if response.status_code == 302:
        return 302, client.get(response.headers["Location"]).get_data(as_text=True)
    return response.status_code, response.get_data(as_text=True)


def test_the_rules_in_force_are_shown_as_yaml(app: Flask, session: Session) -> None:
    client = _admin(app, session)
    page = html.unescape(client.get("/staff/rules").get_data(as_text=True))
    assert rules.default_rule_set()["rules"][0]["name"] in page


def test_an_invalid_draft_shows_where_it_is_wrong(app: Flask, session: Session) -> None:
    client = _admin(app, session)
    status, page = _save(client, INVALID)
    assert status == 422
    assert "rules[0].action.outcome" in page
    assert "Choose one from the list." in page  # the problem in the staff's language
    assert "outcome: maybe" in page  # the text stays in the textarea to be corrected
    drafts = select(RuleSetVersion).where(RuleSetVersion.status == RuleSetStatus.DRAFT)
    assert session.scalars(drafts).all() == []


def test_yaml_that_does_not_parse_is_shown_too(app: Flask, session: Session) -> None:
    client = _admin(app, session)
    status, page = _save(client, "name: [unclosed")
    assert status == 422
    assert "not valid YAML" in page


def _draft_id(page: str) -> int:
    return int(re.search(r"/staff/rules/drafts/(\d+)/simulate", page).group(1))


def test_a_draft_is_tried_on_past_returns(app: Flask, session: Session, shop: Shop) -> None:
    order = shop.put_order()
    customer = shop.customer()
    for line, reason in (("L4", "UNWANTED"), ("L1", "DEFECTIVE")):
        filed = shop.file(
            customer, [{"line_id": shop.line_id(order, line), "quantity": 1, "reason": reason}]
        )
        assert filed.status_code == 201, filed.json
    client = _admin(app, session)
    status, page = _save(client, _approve_everything())
    assert status == 302
    draft = _draft_id(page)
    response = client.post(
        f"/staff/rules/drafts/{draft}/simulate", data={"csrf": csrf(page), "last": "10"}
    )
    assert response.status_code == 200
    shown = response.get_data(as_text=True)
    assert re.search(r'id="sim-total">2<', shown)
    assert re.search(r'id="sim-changed">1<', shown)
    assert "<td>Send to a person</td><td>Approve</td><td>1</td>" in shown
    assert "everything" in shown
    review_rma = session.scalar(select(ReturnRequest.rma).where(ReturnRequest.status == "review"))
    assert f'href="/staff/returns/{review_rma}"' in shown


def _in_force(session: Session) -> RuleSetVersion:
    session.expire_all()
    activation = session.scalar(select(RuleSetActivation).order_by(RuleSetActivation.id.desc()))
    return session.get(RuleSetVersion, activation.version_id)


def test_opening_the_rules_page_writes_nothing(app: Flask, session: Session) -> None:
    client = _admin(app, session)
    page = html.unescape(client.get("/staff/rules").get_data(as_text=True))
    assert rules.default_rule_set()["rules"][0]["name"] in page  # the default, not yet used
    assert session.scalar(select(func.count()).select_from(RuleSetVersion)) == 0


def test_a_draft_is_published_and_rolled_back(app: Flask, session: Session) -> None:
    client = _admin(app, session)
    rule_sets.active_version(session, utcnow())  # the shipped default is in force
    session.commit()
    status, page = _save(client, _approve_everything())
    assert status == 302
    first = _in_force(session)
    draft = _draft_id(page)
    response = client.post(f"/staff/rules/drafts/{draft}/publish", data={"csrf": csrf(page)})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Version 2 is in force." in page
    assert "<td>System</td>" in page and "<td>system</td>" not in page  # the default's
    published = _in_force(session)
    assert (published.number, published.published_by) == (2, "staff:boss@shop.example")

    response = client.post(f"/staff/rules/versions/{first.id}/publish", data={"csrf": csrf(page)})
    assert response.status_code == 302
    assert _in_force(session).id == first.id
    again = client.post(f"/staff/rules/drafts/{published.id}/publish", data={"csrf": csrf(page)})
    assert again.status_code == 409  # a published version is not a draft any more
