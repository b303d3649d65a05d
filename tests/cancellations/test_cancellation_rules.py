"""Cancellation rules: their own versioned rule set, beside the return rules."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import rules
from returns_service.auth.models import Role
from returns_service.models import utcnow
from returns_service.rulesets.operations import default_cancellation_rule_set
from tests.cancellations.conftest import Cancellations, kinds
from tests.shop import Shop

MADE_TO_ORDER = [
    {
        "external_id": "L1",
        "sku": "BAG-ORDER",
        "title": "オーダーメイドの革鞄",
        "quantity": 1,
        "unit_price": {"amount": 48000, "currency": "JPY"},
        "tags": ["leather", "Made-to-Order"],
    },
    {
        "external_id": "L2",
        "sku": "CARE",
        "title": "革用クリーム",
        "quantity": 1,
        "unit_price": {"amount": 1800, "currency": "JPY"},
    },
]


def _placed(hours_ago: float) -> str:
    return (utcnow() - timedelta(hours=hours_ago)).isoformat()


def test_made_to_order_items_cannot_be_cancelled_once_production_started(
    shop: Shop, cancellations: Cancellations
) -> None:
    late = cancellations.put_order("6001", lines=MADE_TO_ORDER, placed_at=_placed(30))
    early = cancellations.put_order(
        "6002", number="#6002", lines=MADE_TO_ORDER, placed_at=_placed(3)
    )
    customer = cancellations.customer(late)

    refused = cancellations.cancel(customer, [{"line_id": shop.line_id(late, "L1"), "quantity": 1}])
    care_only = cancellations.cancel(
        customer, [{"line_id": shop.line_id(late, "L2"), "quantity": 1}]
    )
    in_time = cancellations.cancel(cancellations.customer(early))

    assert refused.status_code == 201, refused.json
    assert refused.json["status"] == "rejected"
    assert refused.json["refund"] is None
    assert refused.json["decision"]["rule"] == "made_to_order_in_production"
    assert refused.json["message"].startswith("受注生産の商品は、ご注文から24時間を過ぎると")
    facts = cancellations.get(refused.json["id"])
    assert kinds(facts["timeline"]) == ["cancellation.requested", "cancellation.rejected"]
    assert care_only.json["status"] == "cancelled"
    assert in_time.json["status"] == "cancelled"


def _admin_rules(shop: Shop, token_for: Any) -> tuple[dict[str, str], dict[str, Any]]:
    admin = token_for(Role.ADMIN)
    overview = shop.client.get("/api/v1/rules?scope=cancellation", headers=admin)
    assert overview.status_code == 200, overview.json
    return admin, overview.json


def test_the_cancellation_rules_are_versioned_apart_from_the_return_rules(
    shop: Shop, token_for: Any
) -> None:
    admin, overview = _admin_rules(shop, token_for)
    assert overview["published"]["number"] == 1
    assert overview["published"]["scope"] == "cancellation"
    assert overview["published"]["document"] == rules.validate_rule_set(
        default_cancellation_rule_set()
    )
    document = default_cancellation_rule_set()
    document["rules"].insert(
        0,
        {
            "name": "subscriptions_by_a_person",
            "condition": {"fact": "is_subscription", "op": "==", "value": True},
            "action": {"outcome": "review", "review_reason": "subscription orders"},
        },
    )
    draft = shop.client.post("/api/v1/rules/drafts", json={"document": document}, headers=admin)
    assert draft.status_code == 201, draft.json
    assert draft.json["scope"] == "cancellation"
    published = shop.client.post(f"/api/v1/rules/drafts/{draft.json['id']}/publish", headers=admin)
    assert published.status_code == 200, published.json
    assert published.json["number"] == 2

    returns = shop.client.get("/api/v1/rules", headers=admin).json
    assert returns["published"]["number"] == 1
    assert returns["published"]["scope"] == "return"
    assert returns["published"]["document"] == rules.validate_rule_set(rules.default_rule_set())
    assert returns["drafts"] == [] and len(returns["versions"]) == 1
    assert shop.client.get("/api/v1/rules?scope=exchange", headers=admin).status_code == 422


def test_a_cancellation_sent_to_review_is_decided_by_a_person(
    shop: Shop, cancellations: Cancellations, token_for: Any
) -> None:
    admin, _ = _admin_rules(shop, token_for)
    document = default_cancellation_rule_set()
    document["rules"].insert(
        0,
        {
            "name": "big_orders_by_a_person",
            "condition": {"fact": "order_total", "op": ">=", "value": 100000},
            "action": {"outcome": "review", "review_reason": "orders of 100,000 yen or more"},
        },
    )
    shop.publish_rules(document, admin)
    big = cancellations.put_order("6001")
    other = cancellations.put_order("6002", number="#6002", email_address="ken@example.jp")

    first = cancellations.cancel(cancellations.customer(big)).json
    second = cancellations.cancel(cancellations.customer(other)).json
    assert (first["status"], second["status"]) == ("review", "review")
    # The promise in business days, and the date the shop's calendar gives for it.
    assert re.fullmatch(
        r"担当者がご依頼を確認し、1営業日以内（\d{4}年\d{1,2}月\d{1,2}日（.）まで）にご連絡いたします。",
        first["message"],
    ), first["message"]
    assert first["timeline"][-1]["message"] == "orders of 100,000 yen or more"

    approved = shop.client.post(
        f"/api/v1/cancellations/{first['id']}/approve", json={}, headers=shop.agent
    )
    rejected = shop.client.post(
        f"/api/v1/cancellations/{second['id']}/reject",
        json={"message": "ご注文はすでに手配済みです。"},
        headers=shop.agent,
    )
    again = shop.client.post(
        f"/api/v1/cancellations/{first['id']}/approve", json={}, headers=shop.agent
    )

    assert approved.json["status"] == "cancelled", approved.json
    assert approved.json["refund"]["amount"]["amount"] == 145900
    assert rejected.json["status"] == "rejected"
    assert rejected.json["message"] == "ご注文はすでに手配済みです。"
    assert again.status_code == 409
    customer_try = shop.client.post(
        f"/api/v1/cancellations/{first['id']}/approve",
        json={},
        headers=cancellations.customer(big),
    )
    assert customer_try.status_code == 403


def test_a_cancellation_draft_is_simulated_on_past_cancellations(
    shop: Shop, cancellations: Cancellations, token_for: Any
) -> None:
    admin, _ = _admin_rules(shop, token_for)
    order = cancellations.put_order()
    cancelled = cancellations.cancel(
        cancellations.customer(order), [{"line_id": shop.line_id(order, "L2"), "quantity": 1}]
    ).json
    document = default_cancellation_rule_set()
    document["rules"][-1]["action"] = {"outcome": "review", "review_reason": "all by hand"}
    draft = shop.client.post("/api/v1/rules/drafts", json={"document": document}, headers=admin)

    report = shop.client.post(
        f"/api/v1/rules/drafts/{draft.json['id']}/simulate", json={"last": 10}, headers=admin
    )

    assert report.status_code == 200, report.json
    assert report.json["total"] == 1 and report.json["changed"] == 1
    assert report.json["sample"][0]["link"] == (
        f"http://returns.test/api/v1/cancellations/{cancelled['id']}"
    )
