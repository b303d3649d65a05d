"""Every operator on every fact type, null included, evaluated by both engines."""

import pytest
from rules_helpers import matches

from rules import FACTS, FactType
from rules.operators import OPERATORS_BY_TYPE, Op, Operand, operand

# One fact of each type, and a valid value for each operand shape.
SAMPLE_FACT = {
    FactType.INTEGER: ("quantity", 2, [1, 2], [1, 3]),
    FactType.NUMBER: ("customer_return_rate_365d", 0.5, [0.5], [0.25, 0.75]),
    FactType.STRING: ("sku", "TS-1", ["TS-1"], None),
    FactType.BOOLEAN: ("is_final_sale", True, None, None),
    FactType.DATE: ("delivered_on", "2024-05-01", ["2024-05-01"], ["2024-04-01", "2024-06-01"]),
    FactType.ENUM: ("reason", "DEFECTIVE", ["DEFECTIVE"], None),
    FactType.STRING_LIST: ("product_tags", "sale", ["sale"], None),
}


def leaf(fact, op, value=None):
    node = {"fact": fact, "op": op}
    if operand(Op(op)) is not Operand.NONE:
        node["value"] = value
    return node


def every_operator():
    for kind, ops in OPERATORS_BY_TYPE.items():
        fact, scalar, items, bounds = SAMPLE_FACT[kind]
        for op in ops:
            shape = operand(op)
            value = {Operand.LIST: items, Operand.RANGE: bounds}.get(shape, scalar)
            yield pytest.param(fact, op, value, id=f"{kind}-{op}")


@pytest.mark.parametrize(("fact", "op", "value"), list(every_operator()))
def test_null_or_missing_fact_matches_only_is_null(fact, op, value):
    condition = leaf(fact, op, value)
    expected = op is Op.IS_NULL
    assert matches(condition, {fact: None}) is expected
    assert matches(condition, {}) is expected


def test_every_type_has_a_sample_fact():
    assert set(SAMPLE_FACT) == set(FactType)
    for kind, (fact, *_) in SAMPLE_FACT.items():
        assert FACTS[fact].type is kind


CASES = [
    # integer
    ("quantity", "==", 2, 2, True),
    ("quantity", "==", 2, 3, False),
    ("quantity", "!=", 2, 3, True),
    ("quantity", "!=", 2, 2, False),
    ("quantity", "<", 2, 1, True),
    ("quantity", "<", 2, 2, False),
    ("quantity", "<=", 2, 2, True),
    ("quantity", "<=", 2, 3, False),
    ("quantity", ">", 2, 3, True),
    ("quantity", ">", 2, 2, False),
    ("quantity", ">=", 2, 2, True),
    ("quantity", ">=", 2, 1, False),
    ("quantity", "in", [1, 2], 2, True),
    ("quantity", "in", [1, 2], 3, False),
    ("quantity", "not_in", [1, 2], 3, True),
    ("quantity", "not_in", [1, 2], 1, False),
    ("quantity", "between", [1, 3], 1, True),
    ("quantity", "between", [1, 3], 3, True),
    ("quantity", "between", [1, 3], 4, False),
    ("quantity", "between", [1, 3], 0, False),
    ("quantity", "is_null", None, 0, False),
    ("quantity", "is_not_null", None, 0, True),
    # number: integers and floats compare as numbers
    ("customer_return_rate_365d", "==", 0.5, 0.5, True),
    ("customer_return_rate_365d", "==", 1, 1.0, True),
    ("customer_return_rate_365d", "!=", 0.5, 0.25, True),
    ("customer_return_rate_365d", "<", 0.5, 0.49, True),
    ("customer_return_rate_365d", "<=", 0.5, 0.51, False),
    ("customer_return_rate_365d", ">", 0.5, 0.51, True),
    ("customer_return_rate_365d", ">=", 0.5, 0.5, True),
    ("customer_return_rate_365d", "in", [0, 1], 0.0, True),
    ("customer_return_rate_365d", "not_in", [0, 1], 0.5, True),
    ("customer_return_rate_365d", "between", [0.25, 0.75], 0.5, True),
    ("customer_return_rate_365d", "between", [0.25, 0.75], 0.8, False),
    ("customer_return_rate_365d", "is_null", None, 0.0, False),
    ("customer_return_rate_365d", "is_not_null", None, 0.0, True),
    # string
    ("sku", "==", "TS-1", "TS-1", True),
    ("sku", "==", "TS-1", "ts-1", False),
    ("sku", "!=", "TS-1", "TS-2", True),
    ("sku", "in", ["TS-1", "TS-2"], "TS-2", True),
    ("sku", "in", ["TS-1", "TS-2"], "TS-3", False),
    ("sku", "not_in", ["TS-1"], "TS-3", True),
    ("sku", "not_in", ["TS-1"], "TS-1", False),
    ("sku", "starts_with", "CLR-", "CLR-9", True),
    ("sku", "starts_with", "CLR-", "TS-CLR-9", False),
    ("sku", "contains", "CLR", "TS-CLR-9", True),
    ("sku", "contains", "CLR", "TS-9", False),
    ("sku", "is_null", None, "", False),
    ("sku", "is_not_null", None, "", True),
    # boolean
    ("is_final_sale", "==", True, True, True),
    ("is_final_sale", "==", True, False, False),
    ("is_final_sale", "==", False, False, True),
    ("is_final_sale", "!=", True, False, True),
    ("is_final_sale", "!=", True, True, False),
    ("is_final_sale", "is_null", None, False, False),
    ("is_final_sale", "is_not_null", None, False, True),
    # date, as ISO text: comparing the text compares the dates
    ("delivered_on", "==", "2024-05-01", "2024-05-01", True),
    ("delivered_on", "!=", "2024-05-01", "2024-05-02", True),
    ("delivered_on", "<", "2024-05-01", "2024-04-30", True),
    ("delivered_on", "<", "2024-05-01", "2024-05-01", False),
    ("delivered_on", "<=", "2024-05-01", "2024-05-01", True),
    ("delivered_on", ">", "2024-05-01", "2024-12-01", True),
    ("delivered_on", ">=", "2024-05-01", "2023-12-31", False),
    ("delivered_on", "in", ["2024-05-01"], "2024-05-01", True),
    ("delivered_on", "not_in", ["2024-05-01"], "2024-05-02", True),
    ("delivered_on", "between", ["2024-04-01", "2024-06-01"], "2024-05-15", True),
    ("delivered_on", "between", ["2024-04-01", "2024-06-01"], "2024-06-02", False),
    ("delivered_on", "is_null", None, "2024-05-01", False),
    ("delivered_on", "is_not_null", None, "2024-05-01", True),
    # enum
    ("reason", "==", "DEFECTIVE", "DEFECTIVE", True),
    ("reason", "==", "DEFECTIVE", "COLOR", False),
    ("reason", "!=", "DEFECTIVE", "COLOR", True),
    ("reason", "in", ["DEFECTIVE", "WRONG_ITEM"], "WRONG_ITEM", True),
    ("reason", "in", ["DEFECTIVE", "WRONG_ITEM"], "STYLE", False),
    ("reason", "not_in", ["DEFECTIVE"], "STYLE", True),
    ("reason", "not_in", ["DEFECTIVE"], "DEFECTIVE", False),
    ("reason", "is_null", None, "OTHER", False),
    ("reason", "is_not_null", None, "OTHER", True),
    # string list: contains is membership, not a substring of an element
    ("product_tags", "contains", "sale", ["new", "sale"], True),
    ("product_tags", "contains", "sale", ["wholesale"], False),
    ("product_tags", "contains", "sale", [], False),
    ("product_tags", "contains_any", ["sale", "gift"], ["gift"], True),
    ("product_tags", "contains_any", ["sale", "gift"], ["new"], False),
    ("product_tags", "contains_any", ["sale"], [], False),
    ("product_tags", "is_null", None, [], False),
    ("product_tags", "is_not_null", None, [], True),
]


@pytest.mark.parametrize(("fact", "op", "value", "fact_value", "expected"), CASES)
def test_operator(fact, op, value, fact_value, expected):
    assert matches(leaf(fact, op, value), {fact: fact_value}) is expected


def test_cases_cover_every_operator_of_every_type():
    covered = {(FACTS[fact].type, Op(op)) for fact, op, *_ in CASES}
    wanted = {(kind, op) for kind, ops in OPERATORS_BY_TYPE.items() for op in ops}
    assert wanted <= covered


def test_tags_given_as_a_tuple_or_set_work_too():
    assert matches(leaf("product_tags", "contains", "sale"), {"product_tags": ("sale",)})
    assert matches(leaf("product_tags", "contains_any", ["a", "b"]), {"product_tags": {"b"}})
