"""The rule engine: facts in, explained decision out.

Imports only the standard library, marshmallow and PyYAML; never the Flask app.
"""

from rules.actions import Action, Outcome, RefundTiming
from rules.facts import FACTS, Fact, FactType
from rules.validation import RuleSetInvalid, rule_set_errors, validate_rule_set

__all__ = [
    "FACTS",
    "Action",
    "Fact",
    "FactType",
    "Outcome",
    "RefundTiming",
    "RuleSetInvalid",
    "rule_set_errors",
    "validate_rule_set",
]
