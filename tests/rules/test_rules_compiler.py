"""Compiled rule sets decide like the interpreter, explain themselves and run safely."""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from rules_helpers import decide_both, rule_set, when

from rules import (
    Action,
    Decision,
    Outcome,
    RefundTiming,
    RuleSetInvalid,
    compile_rule_set,
    interpret,
)
from rules.actions import Amount, Message, Resolution, ReturnMethod, ShippingPayer

TAGGED = {"fact": "product_tags", "op": "contains", "value": "sale"}
CHEAP = {"fact": "unit_price", "op": "<", "value": 1000}
LATE = {"fact": "days_since_delivery", "op": ">", "value": 30}

EXAMPLE = rule_set(
    when({"all": [TAGGED, {"not": CHEAP}]}, "sale_not_cheap"),
    when(
        {
            "any": [
                {"fact": "days_since_delivery", "op": "is_null"},
                {"all": [CHEAP, {"fact": "quantity", "op": ">=", "value": 3}]},
            ]
        },
        "odd",
    ),
    {
        "name": "late_reject",
        "condition": {"all": [LATE, {"fact": "currency", "op": "==", "value": "JPY"}]},
        "action": {
            "outcome": "reject",
            "message": {"ja": "{delivered_on}に配達済み", "en": "Delivered on {delivered_on}."},
        },
    },
)


@pytest.mark.parametrize(
    ("facts", "rule", "read"),
    [
        ({}, "odd", ["product_tags", "days_since_delivery"]),
        (
            {"product_tags": ["sale"], "unit_price": 5000},
            "sale_not_cheap",
            ["product_tags", "unit_price"],
        ),
        (
            {"product_tags": ["sale"], "unit_price": 500, "quantity": 3, "days_since_delivery": 3},
            "odd",
            ["product_tags", "unit_price", "days_since_delivery", "quantity"],
        ),
        (
            {"days_since_delivery": 31, "currency": "JPY", "unit_price": 2000},
            "late_reject",
            ["product_tags", "days_since_delivery", "unit_price", "currency"],
        ),
        (
            {"days_since_delivery": 10, "unit_price": 10, "quantity": 1},
            "default",
            ["product_tags", "days_since_delivery", "unit_price", "quantity"],
        ),
    ],
)
def test_facts_read_are_exactly_those_looked_at_in_order(facts, rule, read):
    decision = decide_both(EXAMPLE, facts)
    assert decision.rule == rule
    assert list(decision.facts_read) == read
    assert all(decision.facts_read[name] == facts.get(name) for name in read)


def test_decision_carries_the_rule_its_action_and_rendered_message():
    doc = rule_set(
        {
            "name": "late",
            "condition": LATE,
            "action": {
                "outcome": "reject",
                "message": {"ja": "{delivered_on}に配達", "en": "Delivered {delivered_on}, {sku}"},
            },
        }
    )
    decision = decide_both(doc, {"days_since_delivery": 40, "delivered_on": "2024-05-01"})
    assert decision.outcome is Outcome.REJECT
    assert (decision.rule, decision.rule_index) == ("late", 0)
    assert decision.message == {"ja": "2024-05-01に配達", "en": "Delivered 2024-05-01, —"}
    assert decision.facts_read == {"days_since_delivery": 40}
    assert decision.action == Action(
        Outcome.REJECT, message=Message("{delivered_on}に配達", "Delivered {delivered_on}, {sku}")
    )


def test_typed_action_parameters_and_defaults():
    doc = rule_set(
        default={
            "outcome": "approve",
            "return_method": "pickup",
            "return_shipping_paid_by": "shop",
            "restocking_fee": {"fixed": 500},
            "allowed_resolutions": ["exchange", "store_credit"],
            "bonus_credit": {"percent": 5},
            "message": {"ja": "ありがとう", "en": "Thanks"},
        }
    )
    action = decide_both(doc, {}).action
    assert action == Action(
        outcome=Outcome.APPROVE,
        message=Message("ありがとう", "Thanks"),
        return_method=ReturnMethod.PICKUP,
        return_shipping_paid_by=ShippingPayer.SHOP,
        refund_timing=RefundTiming.ON_INSPECTION,
        restocking_fee=Amount(fixed=500),
        allowed_resolutions=(Resolution.EXCHANGE, Resolution.STORE_CREDIT),
        bonus_credit=Amount(percent=5),
    )
    keep = decide_both(rule_set(default={"outcome": "approve_keep_item"}), {}).action
    assert keep.refund_timing is RefundTiming.ON_APPROVAL


def test_decision_as_dict_is_json_serialisable():
    facts = {
        "product_tags": ("new",),
        "days_since_delivery": 40,
        "delivered_on": "2024-05-01",
        "currency": "JPY",
        "unit_price": 2000,
    }
    stored = json.loads(json.dumps(decide_both(EXAMPLE, facts).as_dict()))
    assert stored == {
        "outcome": "reject",
        "rule": "late_reject",
        "rule_index": 2,
        "action": {
            "outcome": "reject",
            "message": {"ja": "{delivered_on}に配達済み", "en": "Delivered on {delivered_on}."},
        },
        "message": {"ja": "2024-05-01に配達済み", "en": "Delivered on 2024-05-01."},
        "facts_read": {
            "product_tags": ["new"],
            "days_since_delivery": 40,
            "unit_price": 2000,
            "currency": "JPY",
        },
    }


def test_each_decision_gets_its_own_message_and_facts_read():
    compiled = compile_rule_set(
        rule_set(default={"outcome": "approve", "message": {"ja": "はい", "en": "Yes"}})
    )
    first, second = compiled.decide({}), compiled.decide({})
    first.message["en"] = "changed"
    first.facts_read["x"] = 1
    assert second.message == {"ja": "はい", "en": "Yes"}
    assert second.facts_read == {}


def test_decision_is_frozen():
    decision = compile_rule_set(rule_set()).decide({})
    assert isinstance(decision, Decision)
    with pytest.raises(AttributeError):
        decision.rule = "other"


def test_compiling_refuses_an_invalid_rule_set():
    with pytest.raises(RuleSetInvalid):
        compile_rule_set({"name": "x", "rules": []})


def test_values_never_become_source_text():
    sneaky = "x' or __import__('os').system('true') or '"
    doc = rule_set(
        when({"fact": "sku", "op": "==", "value": sneaky}, name="'; import os #"),
        default={"outcome": "reject", "message": {"ja": sneaky, "en": "{sku}" + sneaky}},
    )
    compiled = compile_rule_set(doc)
    assert "import" not in compiled.source
    assert "sku" not in compiled.source
    assert compiled.decide({"sku": sneaky}).rule == "'; import os #"
    assert compiled.decide({"sku": "a"}).message == {"ja": sneaky, "en": "a" + sneaky}


def test_decide_is_thread_safe():
    compiled = compile_rule_set(EXAMPLE)
    inputs = [
        {"product_tags": ["sale"], "unit_price": price, "days_since_delivery": price % 40}
        for price in range(0, 4000, 7)
    ]
    expected = [interpret(compiled.doc, facts) for facts in inputs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(5):
            assert list(pool.map(compiled.decide, inputs)) == expected


def test_deep_and_wide_conditions_compile():
    condition = {"fact": "quantity", "op": ">", "value": 5}
    for depth in range(9):
        group = "all" if depth % 2 else "any"
        condition = {group: [{"fact": "quantity", "op": "==", "value": depth}, condition]}
    wide = {"any": [{"fact": "quantity", "op": "==", "value": n} for n in range(200)]}
    doc = rule_set(when(condition, "deep"), when(wide, "wide"))
    for quantity in (0, 3, 6, 150, 250):
        decide_both(doc, {"quantity": quantity})
