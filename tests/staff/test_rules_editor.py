"""The structured rules editor: the same document as the YAML, problems beside their
condition in the staff's language, and a published change deciding customers at once."""

from __future__ import annotations

import html

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

import rules
from returns_service.auth.models import Role
from returns_service.rulesets.models import RuleSetStatus, RuleSetVersion
from returns_service.rulesets.operations import DEFAULTS
from rules.facts import Scope
from tests.shop import Shop, add_staff, csrf, sign_in
from tests.staff.page_forms import element, form_fields

PATHS = {Scope.RETURN: "/staff/rules", Scope.CANCELLATION: "/staff/cancellation-rules"}


def _admin(app: Flask, session: Session, locale: str = "en") -> FlaskClient:
    add_staff(session, f"boss-{locale}@shop.example", Role.ADMIN, locale=locale)
    return sign_in(app.test_client(), f"boss-{locale}@shop.example")


def _editor(client: FlaskClient, path: str) -> tuple[str, MultiDict[str, str]]:
    page = client.get(path).get_data(as_text=True)
    return page, form_fields(page, "rule-editor")


def _send(client: FlaskClient, path: str, fields: MultiDict[str, str], do: str) -> tuple[int, str]:
    sent = MultiDict(fields)
    sent["do"] = do
    response = client.post(path + "/editor", data=sent)
    if response.status_code == 302:
        return 302, client.get(response.headers["Location"]).get_data(as_text=True)
    return response.status_code, response.get_data(as_text=True)


def _set(fields: MultiDict[str, str], values: dict[str, str]) -> None:
    """Change fields as a person would: each takes the one new value."""
    for key, value in values.items():
        fields[key] = value


def _drafts(session: Session) -> list[RuleSetVersion]:
    session.expire_all()
    query = select(RuleSetVersion).where(RuleSetVersion.status == RuleSetStatus.DRAFT)
    return list(session.scalars(query.order_by(RuleSetVersion.id)))


@pytest.mark.parametrize("scope", list(Scope))
def test_the_editor_saves_the_document_the_yaml_saves(
    app: Flask, session: Session, scope: Scope
) -> None:
    client = _admin(app, session)
    page, fields = _editor(client, PATHS[scope])
    assert fields["rule_count"] == str(len(DEFAULTS[scope]()["rules"]))
    status, _ = _send(client, PATHS[scope], fields, "save")
    assert status == 302
    text = rules.dump_rule_set(DEFAULTS[scope]())
    saved = client.post(PATHS[scope] + "/drafts", data={"csrf": csrf(page), "document": text})
    assert saved.status_code == 302
    from_editor, from_yaml = _drafts(session)
    assert from_editor.document == from_yaml.document == rules.validate_rule_set(DEFAULTS[scope]())


def test_a_rule_is_built_row_by_row(app: Flask, session: Session) -> None:
    client = _admin(app, session)
    _, fields = _editor(client, PATHS[Scope.RETURN])
    count = int(fields["rule_count"])
    status, page = _send(client, PATHS[Scope.RETURN], fields, "add_rule")
    assert status == 200
    fields = form_fields(page, "rule-editor")
    new = count - 1  # added before the default, which stays last
    assert fields["rule_count"] == str(count + 1)
    status, page = _send(client, PATHS[Scope.RETURN], fields, f"add_group:{new}:c:any")
    fields = form_fields(page, "rule-editor")
    # The rule: delivered more than 30 days ago, and not defective or with photos.
    _set(
        fields,
        {
            f"rules-{new}-name": "late_unless_at_fault",
            f"rules-{new}-c.0-fact": "days_since_delivery",
            f"rules-{new}-c.0-op": ">",
            f"rules-{new}-c.0-value": "30",
            f"rules-{new}-c.1-kind": "not",
            f"rules-{new}-c.1.0-fact": "reason",
            f"rules-{new}-c.1.0-op": "in",
            f"rules-{new}-outcome": "reject",
            f"rules-{new}-message_ja": "返品期間を過ぎています。",
            f"rules-{new}-message_en": "The return window has closed.",
            f"rules-{new}-review_reason_en": "",
        },
    )
    fields.setlist(f"rules-{new}-c.1.0-value", ["DEFECTIVE", "WRONG_ITEM"])
    status, page = _send(client, PATHS[Scope.RETURN], fields, f"up:{new}")
    fields = form_fields(page, "rule-editor")
    assert fields[f"rules-{new - 1}-name"] == "late_unless_at_fault"  # moved up one row
    status, _ = _send(client, PATHS[Scope.RETURN], fields, "save")
    assert status == 302
    (draft,) = _drafts(session)
    built = next(r for r in draft.document["rules"] if r["name"] == "late_unless_at_fault")
    assert draft.document["rules"].index(built) == new - 1
    assert built["condition"] == {
        "all": [
            {"fact": "days_since_delivery", "op": ">", "value": 30},
            {"not": {"fact": "reason", "op": "in", "value": ["DEFECTIVE", "WRONG_ITEM"]}},
        ]
    }
    assert built["action"] == {
        "outcome": "reject",
        "message": {"ja": "返品期間を過ぎています。", "en": "The return window has closed."},
    }


def test_conditions_and_rules_are_removed(app: Flask, session: Session) -> None:
    client = _admin(app, session)
    _, fields = _editor(client, PATHS[Scope.RETURN])
    first_rule = rules.default_rule_set()["rules"][0]
    status, page = _send(client, PATHS[Scope.RETURN], fields, "remove_rule:0")
    fields = form_fields(page, "rule-editor")
    assert first_rule["name"] not in fields.values()
    status, page = _send(client, PATHS[Scope.RETURN], fields, "remove_condition:0:c")
    fields = form_fields(page, "rule-editor")
    assert not [key for key in fields if key.startswith("rules-0-c")]


PROBLEMS = {
    "en": ("Days since delivery is a whole number.", "Choose a value from the list."),
    "ja": ("配達からの日数は整数で入力してください。", "一覧から値を選んでください。"),
}


@pytest.mark.parametrize("locale", ["en", "ja"])
def test_problems_show_beside_their_condition_in_the_staffs_language(
    app: Flask, session: Session, locale: str
) -> None:
    client = _admin(app, session, locale)
    _, fields = _editor(client, PATHS[Scope.RETURN])
    status, page = _send(client, PATHS[Scope.RETURN], fields, "add_rule")
    fields = form_fields(page, "rule-editor")
    new = int(fields["rule_count"]) - 2
    status, page = _send(client, PATHS[Scope.RETURN], fields, f"add_condition:{new}:c")
    fields = form_fields(page, "rule-editor")
    _set(
        fields,
        {
            f"rules-{new}-c.0-fact": "days_since_delivery",
            f"rules-{new}-c.0-op": ">",
            f"rules-{new}-c.0-value": "thirty",
            f"rules-{new}-c.1-fact": "reason",
            f"rules-{new}-c.1-op": "==",
            f"rules-{new}-c.1-value": "BORED",
            f"rules-{new}-outcome": "review",
            f"rules-{new}-review_reason_en": "check",
        },
    )
    status, page = _send(client, PATHS[Scope.RETURN], fields, "save")
    assert status == 422
    page = html.unescape(page)
    number_problem, choice_problem = PROBLEMS[locale]
    first, second = element(page, f"cond-{new}-c-0"), element(page, f"cond-{new}-c-1")
    assert number_problem in first and choice_problem not in first
    assert choice_problem in second and number_problem not in second
    assert 'value="thirty"' in first  # what was typed stays, to be corrected
    assert _drafts(session) == []


@pytest.mark.parametrize("locale", ["en", "ja"])
def test_the_editor_speaks_the_registrys_labels(app: Flask, session: Session, locale: str) -> None:
    client = _admin(app, session, locale)
    page = html.unescape(client.get(PATHS[Scope.RETURN]).get_data(as_text=True))
    fact = rules.FACTS["days_since_delivery"]
    assert (fact.label.ja if locale == "ja" else fact.label.en) in page
    assert ("確認に回す" if locale == "ja" else "Send to a person") in page


def test_yaml_mistakes_are_listed_in_the_staffs_language(app: Flask, session: Session) -> None:
    client = _admin(app, session, "ja")
    page = client.get(PATHS[Scope.RETURN]).get_data(as_text=True)
    text = "name: x\nrules:\n  - name: only\n    action: {outcome: review}\n"
    response = client.post(
        PATHS[Scope.RETURN] + "/drafts", data={"csrf": csrf(page), "document": text}
    )
    assert response.status_code == 422
    shown = html.unescape(response.get_data(as_text=True))
    assert "rules[0].action.review_reason" in shown
    assert "確認に回すときは、スタッフに見せる理由が必要です。" in shown


def test_a_saved_draft_is_edited_in_both_places(app: Flask, session: Session) -> None:
    client = _admin(app, session)
    _, fields = _editor(client, PATHS[Scope.RETURN])
    fields["name"] = "first edit"
    status, page = _send(client, PATHS[Scope.RETURN], fields, "save")
    (draft,) = _drafts(session)
    yaml_form = form_fields(page, "yaml-editor")
    assert yaml_form["draft_id"] == str(draft.id)
    yaml_form["document"] = yaml_form["document"].replace("first edit", "second edit")
    response = client.post(PATHS[Scope.RETURN] + "/drafts", data=yaml_form)
    assert response.status_code == 302
    (draft,) = _drafts(session)  # the same draft, changed
    assert draft.document["name"] == "second edit"


def test_a_published_change_decides_the_next_customer(
    app: Flask, session: Session, shop: Shop
) -> None:
    order = shop.put_order()
    customer = shop.customer()
    client = _admin(app, session)

    def file_unwanted() -> dict:
        line = {"line_id": shop.line_id(order, "L4"), "quantity": 1, "reason": "UNWANTED"}
        filed = shop.file(customer, [line])
        assert filed.status_code == 201, filed.json
        shop.client.post(f"/api/v1/returns/{filed.json['rma']}/cancel", headers=customer)
        return filed.json["decision"]

    before = file_unwanted()
    _, fields = _editor(client, PATHS[Scope.RETURN])
    status, page = _send(client, PATHS[Scope.RETURN], fields, "add_rule")
    fields = form_fields(page, "rule-editor")
    new = int(fields["rule_count"]) - 2
    _set(
        fields,
        {
            f"rules-{new}-name": "no_change_of_mind",
            f"rules-{new}-c.0-fact": "reason",
            f"rules-{new}-c.0-op": "==",
            f"rules-{new}-c.0-value": "UNWANTED",
            f"rules-{new}-outcome": "reject",
            f"rules-{new}-message_ja": "お気持ちの変化による返品はお受けしておりません。",
            f"rules-{new}-message_en": "We do not take back items no longer wanted.",
            f"rules-{new}-review_reason_en": "",
        },
    )
    fields.setlist(f"rules-{new}-c.0-value", ["UNWANTED"])
    # Placed first, so that it decides before the shipped rules.
    for index in range(new, 0, -1):
        status, page = _send(client, PATHS[Scope.RETURN], fields, f"up:{index}")
        fields = form_fields(page, "rule-editor")
    status, page = _send(client, PATHS[Scope.RETURN], fields, "save")
    assert status == 302
    (draft,) = _drafts(session)
    response = client.post(
        f"{PATHS[Scope.RETURN]}/drafts/{draft.id}/publish", data={"csrf": csrf(page)}
    )
    assert response.status_code == 302
    after = file_unwanted()
    assert before["rule"] != "no_change_of_mind"
    assert (after["outcome"], after["rule"]) == ("rejected", "no_change_of_mind")


def test_a_single_condition_becomes_a_group_when_one_is_added(app: Flask, session: Session) -> None:
    client = _admin(app, session)
    _, fields = _editor(client, PATHS[Scope.RETURN])
    assert fields["rules-0-c-kind"] == "leaf"  # final_sale: one comparison
    status, page = _send(client, PATHS[Scope.RETURN], fields, "add_condition:0:c")
    fields = form_fields(page, "rule-editor")
    assert fields["rules-0-c-kind"] == "all"
    assert fields["rules-0-c.0-fact"] == "is_final_sale"
    assert fields["rules-0-c.1-fact"] == "reason"


def test_a_condition_moves_up_within_its_group(app: Flask, session: Session) -> None:
    client = _admin(app, session)
    _, fields = _editor(client, PATHS[Scope.RETURN])
    serial = next(
        i for i, r in enumerate(rules.default_rule_set()["rules"]) if r["name"] == "serial_returner"
    )
    assert (fields[f"rules-{serial}-c.0-kind"], fields[f"rules-{serial}-c.1-kind"]) == (
        "leaf",
        "all",
    )
    status, page = _send(client, PATHS[Scope.RETURN], fields, f"condition_up:{serial}:c.1")
    fields = form_fields(page, "rule-editor")
    assert (fields[f"rules-{serial}-c.0-kind"], fields[f"rules-{serial}-c.1-kind"]) == (
        "all",
        "leaf",
    )
    assert fields[f"rules-{serial}-c.1-fact"] == "customer_returns_365d"
