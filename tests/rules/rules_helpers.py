"""Helpers for the rule engine tests: build small rule sets."""

from typing import Any

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
