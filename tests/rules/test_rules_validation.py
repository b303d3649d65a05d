"""Validation on save: each kind of mistake is reported at its exact place."""

import pytest
from rules_helpers import APPROVE, rule_set, when

from rules import RuleSetInvalid, rule_set_errors, validate_rule_set

REJECT = {"outcome": "reject", "message": {"ja": "できません", "en": "Not possible"}}


def leaf(fact, op, value=None, **extra):
    node = {"fact": fact, "op": op, **extra}
    if value is not None:
        node["value"] = value
    return node


def errors_of(doc):
    return [(error["path"], error["message"]) for error in rule_set_errors(doc)]


def only_error(doc):
    errors = errors_of(doc)
    assert len(errors) == 1, errors
    return errors[0]


def test_valid_rule_set_has_no_errors_and_is_normalised():
    doc = rule_set(when(leaf("reason", "==", "DEFECTIVE")))
    assert rule_set_errors(doc) == []
    normalised = validate_rule_set(doc)
    assert normalised["description"] == ""
    assert normalised["scope"] == "return"
    assert normalised["rules"][1] == {
        "name": "default",
        "description": "",
        "action": {"outcome": "approve", "refund_timing": "on_inspection"},
    }


def test_validate_raises_a_specific_exception_with_the_errors():
    with pytest.raises(RuleSetInvalid) as raised:
        validate_rule_set(rule_set(when(leaf("colour", "==", "red"))))
    assert raised.value.errors == [
        {
            "path": "rules[0].condition.fact",
            "message": "unknown fact 'colour'",
            "code": "unknown_fact",
        }
    ]
    assert "rules[0].condition.fact" in str(raised.value)


def test_unknown_fact():
    doc = rule_set(when({"all": [leaf("reason", "==", "COLOR"), leaf("colour", "==", "red")]}))
    assert only_error(doc) == ("rules[0].condition.all[1].fact", "unknown fact 'colour'")


@pytest.mark.parametrize(
    ("condition", "path", "message"),
    [
        (leaf("quantity", "==", 1.5), "value", "quantity is an integer; got 1.5 (float)"),
        (leaf("quantity", "==", True), "value", "quantity is an integer; got true"),
        (leaf("is_final_sale", "==", 1), "value", "is_final_sale is true or false; got 1 (int)"),
        (leaf("sku", "==", 12), "value", "sku compares with text; got 12 (int)"),
        (leaf("reason", "==", "BROKEN"), "value", "'BROKEN' is not a reason; use one of: "),
        (leaf("customer_return_rate_365d", ">", "0.5"), "value", "is a number; got '0.5'"),
        (leaf("customer_return_rate_365d", ">", 1.5), "value", "above the largest possible"),
        (leaf("days_since_order", ">", -1), "value", "below the smallest possible"),
        (leaf("delivered_on", "<", "2024-02-30"), "value", "is not a date written YYYY-MM-DD"),
        (leaf("delivered_on", "<", "20240201"), "value", "is not a date written YYYY-MM-DD"),
        (leaf("quantity", "in", 3), "value", "'in' takes a list, got 3 (int)"),
        (leaf("quantity", "in", []), "value", "'in' takes a non-empty list"),
        (leaf("quantity", "in", [1, "2"]), "value[1]", "quantity is an integer; got '2' (str)"),
        (leaf("quantity", "between", [5]), "value", "'between' takes [low, high]"),
        (leaf("quantity", "between", [5, 1]), "value", "low 5 is above high 1"),
        (leaf("product_tags", "contains_any", "sale"), "value", "'contains_any' takes a list"),
        (leaf("product_tags", "contains", ["sale"]), "value", "product_tags compares with text"),
        (leaf("delivered_on", "is_null", "2024-01-01"), "value", "'is_null' takes no value"),
        (leaf("quantity", "=="), "value", "'==' needs a value"),
        (leaf("quantity", "==", value=None) | {"value": None}, "value", "must not be null"),
    ],
)
def test_wrong_value_type_for_the_operator(condition, path, message):
    error_path, error_message = only_error(rule_set(when(condition)))
    assert error_path == f"rules[0].condition.{path}"
    assert message in error_message


@pytest.mark.parametrize(
    ("fact", "op"),
    [
        ("is_final_sale", "<"),
        ("reason", "starts_with"),
        ("product_tags", "=="),
        ("sku", "between"),
        ("quantity", "contains"),
        ("currency", "contains_any"),
    ],
)
def test_operator_not_allowed_for_the_facts_type(fact, op):
    path, message = only_error(rule_set(when(leaf(fact, op, "x"))))
    assert path == "rules[0].condition.op"
    assert message.startswith(f"'{op}' does not apply to {fact}")


def test_unknown_operator():
    path, message = only_error(rule_set(when(leaf("quantity", "equals", 1))))
    assert path == "rules[0].condition.op"
    assert message.startswith("unknown operator 'equals'; use one of: ==, !=")


@pytest.mark.parametrize("catch_all", [None, {"all": []}, {"not": {"not": {"all": []}}}])
def test_rule_made_unreachable_by_an_earlier_catch_all(catch_all):
    early = {"name": "everything", "action": APPROVE}
    if catch_all is not None:
        early["condition"] = catch_all
    doc = rule_set(when(leaf("quantity", ">", 1)), early, when(leaf("quantity", ">", 5), "late"))
    path, message = only_error(doc)
    assert path == "rules[1].condition"
    assert "rules[2..3] can never be reached" in message


def test_missing_default():
    doc = {"name": "test", "rules": [when(leaf("quantity", ">", 1))]}
    assert only_error(doc) == (
        "rules[0].condition",
        "the last rule is the default and must have no condition",
    )


def test_a_default_may_be_written_as_all_of_nothing():
    doc = {"name": "test", "rules": [{"name": "d", "condition": {"all": []}, "action": APPROVE}]}
    assert rule_set_errors(doc) == []


@pytest.mark.parametrize("missing", ["ja", "en"])
def test_message_missing_a_language(missing):
    message = {"ja": "だめです", "en": "No"}
    del message[missing]
    doc = rule_set(default={"outcome": "reject", "message": message})
    assert only_error(doc) == (
        f"rules[0].action.message.{missing}",
        "Missing data for required field.",
    )


def test_message_in_an_unknown_language():
    doc = rule_set(default={"outcome": "approve", "message": {"ja": "a", "en": "b", "fr": "c"}})
    assert only_error(doc) == ("rules[0].action.message.fr", "Unknown field.")


def test_duplicate_rule_names():
    doc = rule_set(
        when(leaf("quantity", ">", 1), "twice"),
        when(leaf("quantity", ">", 2)),
        when(leaf("quantity", ">", 3), "twice"),
    )
    assert only_error(doc) == ("rules[2].name", "duplicate rule name 'twice', also rules[0]")


def test_empty_rule_list():
    doc = {"name": "test", "rules": []}
    assert only_error(doc) == ("rules", "a rule set needs at least one rule: the default")


@pytest.mark.parametrize(
    ("action", "path", "message"),
    [
        ({"outcome": "refund"}, "outcome", "Must be one of: approve, reject, review"),
        ({"outcome": "reject"}, "message", "a reject needs a message"),
        ({"outcome": "review"}, "review_reason", "a review needs a reason"),
        (REJECT | {"return_method": "pickup"}, "return_method", "not allowed when the outcome"),
        (APPROVE | {"review_reason": "x"}, "review_reason", "not allowed when the outcome"),
        (APPROVE | {"refund_timing": "soon"}, "refund_timing", "Must be one of: on_approval"),
        (
            {"outcome": "approve_keep_item", "refund_timing": "on_receipt"},
            "refund_timing",
            "keep-the-item refunds are issued on_approval",
        ),
        (
            {"outcome": "approve_keep_item", "return_method": "pickup"},
            "return_method",
            "not allowed when the outcome is approve_keep_item",
        ),
        (APPROVE | {"restocking_fee": {"percent": 101}}, "restocking_fee.percent", "less than"),
        (APPROVE | {"restocking_fee": {"percent": "5"}}, "restocking_fee.percent", "number"),
        (
            APPROVE | {"restocking_fee": {"percent": float("nan")}},
            "restocking_fee.percent",
            "number",
        ),
        (APPROVE | {"restocking_fee": {"fixed": 1.5}}, "restocking_fee.fixed", "integer"),
        (APPROVE | {"restocking_fee": {"fixed": -1}}, "restocking_fee.fixed", "greater than"),
        (APPROVE | {"restocking_fee": {}}, "restocking_fee", "exactly one of percent or fixed"),
        (
            APPROVE | {"bonus_credit": {"percent": 5, "fixed": 100}},
            "bonus_credit",
            "exactly one of percent or fixed",
        ),
        (
            APPROVE | {"bonus_credit": {"percent": 5}, "allowed_resolutions": ["refund"]},
            "bonus_credit",
            "a bonus goes with exchange or store credit",
        ),
        (APPROVE | {"allowed_resolutions": []}, "allowed_resolutions", "Shorter than minimum"),
        (
            APPROVE | {"allowed_resolutions": ["refund", "refund"]},
            "allowed_resolutions",
            "list each resolution once",
        ),
        (APPROVE | {"allowed_resolutions": ["cash"]}, "allowed_resolutions[0]", "Must be one"),
        (APPROVE | {"return_method": "drone"}, "return_method", "Must be one of: pickup, dropoff"),
        (APPROVE | {"return_shipping_paid_by": "carrier"}, "return_shipping_paid_by", "shop"),
        (APPROVE | {"restock": True}, "restock", "Unknown field."),
    ],
)
def test_bad_action_parameters(action, path, message):
    error_path, error_message = only_error(rule_set(default=action))
    assert error_path == f"rules[0].action.{path}"
    assert message in error_message


def test_unknown_placeholder_in_a_message():
    message = {"ja": "{delivered_on}にお届け", "en": "Delivered {delivery_date}"}
    doc = rule_set(default={"outcome": "reject", "message": message})
    assert only_error(doc) == (
        "rules[0].action.message.en",
        "unknown placeholder {delivery_date}: not a fact of this rule set",
    )


def test_several_mistakes_are_reported_together():
    doc = {
        "name": "test",
        "rules": [
            when(leaf("colour", "==", "red"), "same"),
            {"name": "same", "condition": leaf("quantity", ">", 1), "action": {"outcome": "x"}},
        ],
    }
    assert [path for path, _ in errors_of(doc)] == [
        "rules[0].condition.fact",
        "rules[1].action.outcome",
        "rules[1].name",
        "rules[1].condition",
    ]


@pytest.mark.parametrize(
    ("doc", "path", "message"),
    [
        ([], "", "a rule set is a mapping with name and rules"),
        ({"rules": [{"name": "d", "action": APPROVE}]}, "name", "Missing data"),
        ({"name": "x"}, "rules", "Missing data"),
        ({"name": "x", "rules": [1]}, "rules[0]", "Invalid input type."),
        (rule_set(when(["quantity"])), "rules[0].condition", "expected a condition"),
        (rule_set(when({"all": leaf("quantity", ">", 1)})), "rules[0].condition.all", "a list"),
        (rule_set(when({"any": []})), "rules[0].condition.any", "at least one condition"),
        (
            rule_set(when({"all": [leaf("quantity", ">", 1)], "fact": "sku"})),
            "rules[0].condition",
            "a condition has one key",
        ),
        (rule_set(when({"not": [leaf("quantity", ">", 1)]})), "rules[0].condition.not", "a leaf"),
        (rule_set(when(leaf("sku", "==", "x", unit="kg"))), "rules[0].condition.unit", "Unknown"),
    ],
)
def test_malformed_documents(doc, path, message):
    errors = errors_of(doc)
    assert any(p == path and message in m for p, m in errors), errors


def test_conditions_nest_at_most_ten_levels():
    condition = leaf("quantity", ">", 1)
    for _ in range(10):
        condition = {"not": condition}
    path, message = only_error(rule_set(when(condition)))
    assert path == "rules[0].condition" + ".not" * 10
    assert message == "conditions may nest at most 10 levels deep"


def test_cancellation_rule_sets_see_only_cancellation_facts():
    doc = rule_set(when(leaf("fulfillment_status", "in", ["unfulfilled", "allocated"])))
    assert errors_of(doc) == [
        (
            "rules[0].condition.fact",
            "fact 'fulfillment_status' is not available in this rule set's scope",
        )
    ]
    assert rule_set_errors(doc | {"scope": "cancellation"}) == []


def test_cancellation_actions_carry_no_return_terms():
    doc = rule_set(default={"outcome": "approve", "return_method": "pickup"}) | {
        "scope": "cancellation"
    }
    assert only_error(doc) == (
        "rules[0].action.return_method",
        "not allowed when the outcome is approve",
    )
    keep = rule_set(default={"outcome": "approve_keep_item"}) | {"scope": "cancellation"}
    assert only_error(keep) == (
        "rules[0].action.outcome",
        "keep-the-item is for returns, not cancellations",
    )


def test_unknown_scope():
    assert only_error(rule_set() | {"scope": "exchange"}) == (
        "scope",
        "Must be one of: return, cancellation.",
    )


def test_validating_a_normalised_document_changes_nothing():
    doc = rule_set(
        when({"not": leaf("sku", "starts_with", "CLR-")}),
        default={"outcome": "approve_keep_item"},
    )
    normalised = validate_rule_set(doc)
    assert validate_rule_set(normalised) == normalised


def test_exchange_upcharge_takes_collect_or_waive() -> None:
    from rules import rule_set_errors

    document = {
        "name": "upcharge",
        "rules": [
            {"name": "default", "action": {"outcome": "approve", "exchange_upcharge": "charge"}}
        ],
    }
    errors = rule_set_errors(document)
    assert [e["path"] for e in errors] == ["rules[0].action.exchange_upcharge"]
    document["rules"][0]["action"]["exchange_upcharge"] = "waive"
    assert rule_set_errors(document) == []


def test_exchange_scope_takes_a_known_scope_and_only_with_approve_or_review() -> None:
    from rules import Action, rule_set_errors
    from rules.actions import ExchangeScope

    document = {
        "name": "scope",
        "rules": [{"name": "default", "action": {"outcome": "approve", "exchange_scope": "shop"}}],
    }
    assert [e["path"] for e in rule_set_errors(document)] == ["rules[0].action.exchange_scope"]
    document["rules"][0]["action"]["exchange_scope"] = "same_product_type"
    assert rule_set_errors(document) == []
    action = Action.from_dict(document["rules"][0]["action"])
    assert action.exchange_scope is ExchangeScope.SAME_PRODUCT_TYPE
    assert action.as_dict()["exchange_scope"] == "same_product_type"
    document["rules"][0]["action"] = {
        "outcome": "reject",
        "message": {"ja": "交換できません。", "en": "No exchange."},
        "exchange_scope": "any_product",
    }
    assert [e["path"] for e in rule_set_errors(document)] == ["rules[0].action.exchange_scope"]
