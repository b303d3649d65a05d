"""The rules admin API: drafts validated on save, simulation on past requests, publish, rollback."""

from __future__ import annotations

import copy
from typing import Any

from flask.testing import FlaskClient

import rules
from returns_service.auth.models import Role
from tests.shop import Shop


def _stricter(document: dict[str, Any]) -> dict[str, Any]:
    """The default rules with low-priced items sent back instead of kept."""
    changed = copy.deepcopy(document)
    changed["rules"] = [r for r in changed["rules"] if not r["name"].startswith("low_price")]
    return changed


def test_only_admins_reach_the_rules(shop: Shop, token_for: Any) -> None:
    assert shop.client.get("/api/v1/rules").status_code == 401
    assert shop.client.get("/api/v1/rules", headers=shop.agent).status_code == 403
    assert shop.client.get("/api/v1/rules", headers=token_for(Role.ADMIN)).status_code == 200


def test_the_default_rule_set_is_published_as_version_one(
    client: FlaskClient, token_for: Any
) -> None:
    response = client.get("/api/v1/rules", headers=token_for(Role.ADMIN))
    assert response.json["published"]["number"] == 1
    assert response.json["published"]["document"] == rules.validate_rule_set(
        rules.default_rule_set()
    )
    assert response.json["drafts"] == []


def test_an_invalid_draft_is_refused_with_where_and_what(
    client: FlaskClient, token_for: Any
) -> None:
    admin = token_for(Role.ADMIN)
    document = rules.default_rule_set()
    document["rules"][0]["condition"] = {"fact": "colour", "op": "==", "value": "red"}
    response = client.post("/api/v1/rules/drafts", json={"document": document}, headers=admin)
    assert response.status_code == 422
    errors = response.json["errors"]["rules"]
    assert errors[0]["path"] == "rules[0].condition.fact"
    assert "colour" in errors[0]["message"]
    assert client.get("/api/v1/rules", headers=admin).json["drafts"] == []


def test_a_draft_is_simulated_on_past_requests_then_published_then_rolled_back(
    shop: Shop, token_for: Any
) -> None:
    admin = token_for(Role.ADMIN)
    order = shop.put_order()
    customer = shop.customer()
    kept = shop.file(
        customer, [{"line_id": shop.line_id(order, "L2"), "quantity": 2, "reason": "UNWANTED"}]
    ).json
    shop.file(customer, [{"line_id": shop.line_id(order, "L1"), "quantity": 1, "reason": "STYLE"}])
    assert kept["decision"]["rule"] == "low_price_keep_item_jpy"

    current = shop.client.get("/api/v1/rules", headers=admin).json["published"]
    draft = shop.client.post(
        "/api/v1/rules/drafts",
        headers=admin,
        json={"document": _stricter(current["document"]), "based_on_id": current["id"]},
    )
    assert draft.status_code == 201, draft.json
    draft_id = draft.json["id"]

    report = shop.client.post(
        f"/api/v1/rules/drafts/{draft_id}/simulate", headers=admin, json={"last": 100}
    )
    assert report.status_code == 200, report.json
    assert report.json["total"] == 2
    assert report.json["changed"] == 1
    moves = [t for t in report.json["transitions"] if t["from"] != t["to"]]
    assert moves == [{"from": "approve_keep_item", "to": "approve", "count": 1}]
    sample = report.json["sample"][0]
    assert (sample["old_rule"], sample["new_rule"]) == ("low_price_keep_item_jpy", "default")
    assert sample["link"].endswith(f"/api/v1/returns/{kept['rma']}")
    assert (sample["currency"], sample["paid_as"]) == ("JPY", "refund")
    assert sample["amount"] > 0
    # Kept or sent back, the line is refunded either way: no money moves.
    assert report.json["money"] == []
    by_rule = {r["rule"]: r for r in report.json["rules"]}
    assert by_rule["default"]["gained"] == 1
    assert by_rule["low_price_keep_item_jpy"]["lost"] == 1

    published = shop.client.post(f"/api/v1/rules/drafts/{draft_id}/publish", headers=admin)
    assert published.status_code == 200
    assert published.json["number"] == 2
    assert (
        shop.client.put(
            f"/api/v1/rules/drafts/{draft_id}",
            headers=admin,
            json={"document": current["document"]},
        ).status_code
        == 409
    )

    second = shop.put_order(external_id="5002", number="#5002")
    decided = shop.file(
        shop.customer("#5002"),
        [{"line_id": shop.line_id(second, "L2"), "quantity": 1, "reason": "UNWANTED"}],
    ).json
    assert decided["decision"]["rule"] == "default"

    rollback = shop.client.post(f"/api/v1/rules/versions/{current['id']}/publish", headers=admin)
    assert rollback.status_code == 200
    overview = shop.client.get("/api/v1/rules", headers=admin).json
    assert overview["published"]["number"] == 1
    assert [v["number"] for v in overview["versions"]] == [2, 1]


def test_simulate_needs_a_range(client: FlaskClient, token_for: Any) -> None:
    admin = token_for(Role.ADMIN)
    draft = client.post(
        "/api/v1/rules/drafts", headers=admin, json={"document": rules.default_rule_set()}
    ).json
    response = client.post(f"/api/v1/rules/drafts/{draft['id']}/simulate", headers=admin, json={})
    assert response.status_code == 422
    assert "last" in response.json["errors"]["json"]
