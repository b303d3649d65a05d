"""Helpers for the rule engine tests: build small rule sets, decide with both engines."""

from collections.abc import Mapping
from typing import Any

from rules import Decision, compile_rule_set, interpret, validate_rule_set

APPROVE = {"outcome": "approve"}
REVIEW = {"outcome": "review", "review_reason": "check it"}


def rule_set(*rules: dict[str, Any], default: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return a rule set of `rules` followed by a default rule."""
    return {
        "name": "test",
        "rules": [*rules, {"name": "default", "action": default or APPROVE}],
    }


def when(condition: dict[str, Any], name: str = "matched") -> dict[str, Any]:
    """Return a rule sending lines that meet `condition` to review."""
    return {"name": name, "condition": condition, "action": REVIEW}


def decide_both(doc: dict[str, Any], facts: Mapping[str, object]) -> Decision:
    """Decide with the compiled rule set and with the interpreter; fail unless they agree."""
    compiled = compile_rule_set(doc).decide(facts)
    interpreted = interpret(validate_rule_set(doc), facts)
    assert compiled == interpreted
    assert list(compiled.facts_read.items()) == list(interpreted.facts_read.items())
    return compiled


def matches(condition: dict[str, Any], facts: Mapping[str, object]) -> bool:
    """Tell whether `condition` holds for `facts`, checked with both engines."""
    return decide_both(rule_set(when(condition)), facts).rule == "matched"
