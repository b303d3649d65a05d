"""Random valid rule sets and random facts: compiled and interpreted decisions agree."""

from datetime import date, timedelta

from hypothesis import HealthCheck, assume, example, given, seed, settings
from hypothesis import strategies as st

from rules import compile_rule_set, interpret, rule_set_errors
from rules.conditions import MAX_DEPTH
from rules.facts import FactType, Scope, facts_in
from rules.operators import OPERATORS_BY_TYPE, Op, Operand, operand

FACTS = facts_in(Scope.RETURN)
# Small pools, so that generated values and generated facts often meet.
TEXTS = ["JPY", "USD", "CLR-1", "TS-2", "card", "cod", "JP", "US", ""]
TAGS = ["sale", "new", "gift"]
DATES = [(date(2024, 1, 1) + timedelta(days=n)).isoformat() for n in range(5)]


def scalars(fact):
    """Values of `fact`'s type, as leaf values and as fact values."""
    kind = fact.type
    if kind is FactType.INTEGER:
        return st.integers(0, 6)
    if kind is FactType.NUMBER:
        return st.sampled_from([0, 0.25, 0.5, 1])
    if kind is FactType.BOOLEAN:
        return st.booleans()
    if kind is FactType.DATE:
        return st.sampled_from(DATES)
    if kind is FactType.ENUM:
        return st.sampled_from(fact.allowed[:3])
    if kind is FactType.STRING_LIST:
        return st.sampled_from(TAGS)
    return st.sampled_from(TEXTS)


def fact_values(fact):
    if fact.type is FactType.STRING_LIST:
        return st.lists(st.sampled_from(TAGS), max_size=3)
    return scalars(fact)


@st.composite
def leaves(draw):
    fact = draw(st.sampled_from(list(FACTS.values())))
    op = draw(st.sampled_from(OPERATORS_BY_TYPE[fact.type]))
    node = {"fact": fact.name, "op": op.value}
    shape = operand(op)
    if shape is Operand.SCALAR:
        value = draw(scalars(fact))
        # A string prefix or substring: short pieces of the pool's texts.
        if op in (Op.STARTS_WITH, Op.CONTAINS) and fact.type is FactType.STRING:
            value = value[: draw(st.integers(0, 3))]
        node["value"] = value
    elif shape is Operand.LIST:
        node["value"] = draw(st.lists(scalars(fact), min_size=1, max_size=3))
    elif shape is Operand.RANGE:
        node["value"] = sorted(draw(st.lists(scalars(fact), min_size=2, max_size=2)))
    return node


def extend(children):
    return st.one_of(
        st.builds(lambda items: {"all": items}, st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda items: {"any": items}, st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda inner: {"not": inner}, children),
    )


# `all: []` is always true; it may appear anywhere, and makes some rule sets invalid.
conditions = st.recursive(leaves() | st.just({"all": []}), extend, max_leaves=8)


def depth(node):
    if "not" in node:
        return 1 + depth(node["not"])
    children = node.get("all", node.get("any"))
    return 1 + max(map(depth, children), default=0) if children is not None else 1


MESSAGE = {"ja": "{days_since_delivery}日", "en": "tags {product_tags}, {reason}"}
ACTIONS = st.sampled_from(
    [
        {"outcome": "approve"},
        {"outcome": "approve", "return_method": "pickup", "refund_timing": "on_receipt"},
        {"outcome": "approve_keep_item", "message": MESSAGE},
        {"outcome": "reject", "message": MESSAGE},
        {"outcome": "reject", "message": {"ja": "不可", "en": "No"}},
        {"outcome": "review", "review_reason": "look"},
    ]
)


@st.composite
def rule_sets(draw):
    rules = []
    for index, condition in enumerate(draw(st.lists(conditions, max_size=6))):
        rules.append({"name": f"r{index}", "condition": condition, "action": draw(ACTIONS)})
    default = {"name": "default", "action": draw(ACTIONS)}
    if draw(st.booleans()):
        default["condition"] = {"all": []}
    return {"name": "random", "rules": [*rules, default]}


facts_strategy = st.fixed_dictionaries(
    {},
    optional={name: st.none() | fact_values(fact) for name, fact in FACTS.items()},
)


COLOR = {"fact": "reason", "op": "==", "value": "COLOR"}


# A fixed seed and no example database: every run, here and in CI, checks the same rule
# sets; the leaf test below is the one that reliably meets every operator's boundaries.
@seed(20261202)
@settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(doc=rule_sets(), many_facts=st.lists(facts_strategy, min_size=1, max_size=8))
# Found by this test: a group whose first child reads nothing made later children's
# facts look already read.
@example(
    doc={
        "name": "random",
        "rules": [
            {
                "name": "r0",
                "condition": {"not": {"any": [{"all": []}, COLOR]}},
                "action": {"outcome": "approve"},
            },
            {"name": "r1", "condition": COLOR, "action": {"outcome": "approve"}},
            {"name": "default", "action": {"outcome": "approve"}},
        ],
    },
    many_facts=[{}],
)
def test_compiled_and_interpreted_decisions_agree(doc, many_facts):
    assume(all(depth(rule.get("condition", {"all": []})) <= MAX_DEPTH for rule in doc["rules"]))
    assume(rule_set_errors(doc) == [])
    compiled = compile_rule_set(doc)
    for facts in many_facts:
        expected = interpret(compiled.doc, facts)
        decision = compiled.decide(facts)
        assert (decision.outcome, decision.rule, decision.rule_index) == (
            expected.outcome,
            expected.rule,
            expected.rule_index,
        )
        assert list(decision.facts_read.items()) == list(expected.facts_read.items())
        assert decision == expected


@st.composite
def leaf_and_value(draw):
    """One leaf, and a value of the leaf's own fact drawn from the same small pool."""
    node = draw(leaves())
    fact = FACTS[node["fact"]]
    return node, draw(st.none() | fact_values(fact))


# Every example puts one operator against a value of its own fact, so equal values (where a
# flipped `>=` or `<=` shows) come up in about one example of three.
@seed(20261202)
@settings(max_examples=1000, deadline=None, database=None)
@given(case=leaf_and_value())
def test_each_operator_compiled_and_interpreted_agree_on_values_of_its_fact(case):
    node, value = case
    doc = {
        "name": "one leaf",
        "rules": [
            {"name": "leaf", "condition": node, "action": {"outcome": "approve"}},
            {"name": "default", "action": {"outcome": "review", "review_reason": "no"}},
        ],
    }
    assume(rule_set_errors(doc) == [])
    facts = {node["fact"]: value}
    assert compile_rule_set(doc).decide(facts) == interpret(compile_rule_set(doc).doc, facts)
