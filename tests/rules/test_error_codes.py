"""Every validation problem carries a code a page can translate."""

from __future__ import annotations

import pytest

from rules import load_rule_set, rule_set_errors
from rules.error_codes import UNKNOWN, classify
from rules.validation import RuleSetInvalid


def _rules(*rules: dict) -> dict:
    return {"name": "x", "rules": list(rules)}


DEFAULT = {"name": "default", "action": {"outcome": "approve"}}


def _when(condition: dict, action: dict | None = None) -> dict:
    """A rule set with one rule "a" before the default."""
    return _rules(
        {"name": "a", "condition": condition, "action": action or {"outcome": "approve"}},
        DEFAULT,
    )


BROKEN = [
    (_when({"fact": "colour", "op": "==", "value": 1}), "unknown_fact"),
    (_when({"fact": "hours_since_order", "op": ">", "value": 1}), "fact_out_of_scope"),
    (_when({"fact": "quantity", "op": "~", "value": 1}), "unknown_operator"),
    (_when({"fact": "is_final_sale", "op": ">", "value": True}), "operator_not_for_fact"),
    (_when({"fact": "quantity", "op": ">"}), "value_required"),
    (_when({"fact": "quantity", "op": ">", "value": "two"}), "not_integer"),
    (_when({"fact": "quantity", "op": ">", "value": -1}), "below_minimum"),
    (_when({"fact": "reason", "op": "==", "value": "BORED"}), "not_a_fact_choice"),
    (_when({"fact": "quantity", "op": "between", "value": [5, 1]}), "range_reversed"),
    (_when({"any": []}), "empty_any"),
    (
        _when({"fact": "quantity", "op": ">", "value": 1}, {"outcome": "reject"}),
        "reject_needs_message",
    ),
    (
        _when({"fact": "quantity", "op": ">", "value": 1}, {"outcome": "review"}),
        "review_needs_reason",
    ),
    (_rules({"name": "a", "action": {"outcome": "approve"}}, DEFAULT), "unreachable_rules"),
    (
        _rules(
            {
                "name": "default",
                "condition": {"fact": "quantity", "op": ">", "value": 1},
                "action": {"outcome": "approve"},
            }
        ),
        "default_has_condition",
    ),
    (_rules({"name": "default", "action": {"outcome": "maybe"}}), "not_a_choice"),
    (
        _rules(
            {
                "name": "default",
                "action": {"outcome": "approve", "message": {"ja": "{colour}", "en": "x"}},
            }
        ),
        "unknown_placeholder",
    ),
    (_rules(), "no_rules"),
]


@pytest.mark.parametrize(("document", "code"), BROKEN)
def test_each_problem_has_its_code(document: dict, code: str) -> None:
    codes = [problem["code"] for problem in rule_set_errors(document)]
    assert code in codes
    assert UNKNOWN not in codes


def test_yaml_that_does_not_parse_has_a_code_too() -> None:
    with pytest.raises(RuleSetInvalid) as raised:
        load_rule_set("name: [unclosed\n")
    assert raised.value.errors[0]["code"] == "not_yaml"


def test_parameters_are_read_from_the_message() -> None:
    code, params = classify("'500' is above the largest possible quantity, 100")
    assert (code, params) == ("above_maximum", {"fact": "quantity", "limit": "100"})
