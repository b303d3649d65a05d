"""The fact registry is complete and consistent, and the README shows it as it is."""

import re
from pathlib import Path

from rules import FACTS, Fact, FactType, compile_rule_set, load_rule_set
from rules.docs import facts_table, operators_table
from rules.facts import Scope

README = Path(__file__).resolve().parents[2] / "rules" / "README.md"


def test_every_fact_is_described_in_both_languages():
    for name, fact in FACTS.items():
        assert isinstance(fact, Fact)
        assert fact.name == name and name.isidentifier()
        assert fact.label.ja and fact.label.en and fact.description.ja and fact.description.en
        assert fact.scopes and fact.scopes <= set(Scope)
        assert bool(fact.allowed) is (fact.type is FactType.ENUM)


def test_the_facts_the_product_needs_are_there():
    assert {
        "reason",
        "resolution",
        "days_since_order",
        "days_since_delivery",
        "delivered_on",
        "shipment_status",
        "unit_price",
        "line_total",
        "order_total",
        "currency",
        "sku",
        "product_type",
        "product_tags",
        "quantity",
        "is_final_sale",
        "customer_returns_365d",
        "customer_return_rate_365d",
        "customer_orders",
        "payment_method",
        "shipping_country",
        "has_photos",
        "is_subscription",
        "hours_since_order",
        "fulfillment_status",
        "is_made_to_order",
        "cancel_scope",
    } <= set(FACTS)
    assert FACTS["days_since_delivery"].nullable
    assert FACTS["unit_price"].unit == "minor units of `currency`"
    assert "WRONG_ITEM" in FACTS["reason"].allowed


def test_facts_table_lists_every_fact():
    table = facts_table()
    for name in FACTS:
        assert f"| `{name}` |" in table


def test_readme_shows_the_tables_as_generated():
    text = README.read_text(encoding="utf-8")
    assert facts_table() in text
    assert operators_table() in text


def test_readme_example_is_a_valid_rule_set():
    text = README.read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)```", text, re.DOTALL).group(1)
    compiled = compile_rule_set(load_rule_set(example))
    facts = {"product_tags": ["underwear"], "reason": "STYLE", "days_since_delivery": 3}
    assert compiled.decide(facts).rule == "hygiene"
