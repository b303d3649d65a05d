"""A plain tree-walking evaluator: the reference the compiled rule sets are tested against.

Null semantics: a fact that is missing or None matches `is_null` and nothing else; every
other comparison with it, `!=` and `not_in` included, is false. A rule therefore never
fires on unknown data, except through `is_null`.
"""

from collections.abc import Callable, Mapping
from typing import Any

from rules.actions import Action
from rules.decision import Decision
from rules.messages import render
from rules.operators import Op

_Test = Callable[[Any, Any], bool]

# Applied only to a present (non-null) fact value; is_null and is_not_null are handled apart.
_TESTS: dict[Op, _Test] = {
    Op.EQ: lambda fact, value: fact == value,
    Op.NE: lambda fact, value: fact != value,
    Op.LT: lambda fact, value: fact < value,
    Op.LE: lambda fact, value: fact <= value,
    Op.GT: lambda fact, value: fact > value,
    Op.GE: lambda fact, value: fact >= value,
    Op.IN: lambda fact, value: fact in value,
    Op.NOT_IN: lambda fact, value: fact not in value,
    Op.CONTAINS: lambda fact, value: value in fact,
    Op.CONTAINS_ANY: lambda fact, value: not set(value).isdisjoint(fact),
    Op.STARTS_WITH: lambda fact, value: fact.startswith(value),
    Op.BETWEEN: lambda fact, value: value[0] <= fact <= value[1],
}


def interpret(doc: Mapping[str, Any], facts: Mapping[str, object]) -> Decision:
    """Decide by walking a document returned by `validate_rule_set`; slow, simple, plainly right."""
    read: dict[str, object] = {}
    for index, rule in enumerate(doc["rules"]):
        condition = rule.get("condition")
        if condition is None or _holds(condition, facts, read):
            action = Action.from_dict(rule["action"])
            message = None if action.message is None else render(action.message, facts)
            return Decision(action.outcome, rule["name"], index, action, message, read)
    raise ValueError("no rule matched: the rule set has no default rule; validate it first")


def _holds(node: Mapping[str, Any], facts: Mapping[str, object], read: dict[str, object]) -> bool:
    if "all" in node:
        return all(_holds(child, facts, read) for child in node["all"])
    if "any" in node:
        return any(_holds(child, facts, read) for child in node["any"])
    if "not" in node:
        return not _holds(node["not"], facts, read)
    name = node["fact"]
    if name not in read:
        read[name] = facts.get(name)
    value = read[name]
    op = Op(node["op"])
    if op is Op.IS_NULL:
        return value is None
    if op is Op.IS_NOT_NULL:
        return value is not None
    return value is not None and _TESTS[op](value, node["value"])
