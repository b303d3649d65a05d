"""The rule engine: facts in, explained decision out.

Imports only the standard library, marshmallow and PyYAML; never the Flask app.
"""

from rules.actions import Action, Outcome, RefundTiming
from rules.compiler import CompiledRuleSet, compile_rule_set
from rules.decision import Decision
from rules.defaults import default_rule_set
from rules.facts import FACTS, Fact, FactType
from rules.interpreter import interpret
from rules.io import dump_rule_set, load_rule_set
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
    "default_rule_set",
    "dump_rule_set",
    "interpret",
    "load_rule_set",
    "rule_set_errors",
    "validate_rule_set",
]
