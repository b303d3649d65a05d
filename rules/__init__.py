"""The rule engine: facts in, explained decision out.

Imports only the standard library, marshmallow and PyYAML; never the Flask app.
"""

from rules.actions import Action, Outcome, RefundTiming
from rules.compiler import CompiledRuleSet, compile_rule_set
from rules.decision import Decision
from rules.facts import FACTS, Fact, FactType
from rules.interpreter import interpret
from rules.validation import RuleSetInvalid, rule_set_errors, validate_rule_set

__all__ = [
    "FACTS",
    "Action",
    "CompiledRuleSet",
    "Decision",
    "Fact",
    "FactType",
    "Outcome",
    "RefundTiming",
    "RuleSetInvalid",
    "compile_rule_set",
    "interpret",
    "rule_set_errors",
    "validate_rule_set",
]
