"""The rule set a new shop starts with, kept in `default_rules.yaml` beside this module."""

from importlib import resources
from typing import Any

from rules.io import load_rule_set


def default_rule_set() -> dict[str, Any]:
    """Return the default rule set, validated and normalised; a fresh copy on each call."""
    text = resources.files("rules").joinpath("default_rules.yaml").read_text(encoding="utf-8")
    return load_rule_set(text)
