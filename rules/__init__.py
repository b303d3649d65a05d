"""The rule engine: facts in, explained decision out.

Imports only the standard library, marshmallow and PyYAML; never the Flask app.
"""

from rules.actions import Action, Outcome, RefundTiming, text_in
from rules.compiler import CompiledRuleSet, compile_rule_set
from rules.decision import Decision
from rules.defaults import default_rule_set
from rules.facts import FACTS, Fact, FactType
from rules.interpreter import interpret
from rules.io import dump_rule_set, load_rule_set
from rules.outcome import RequestOutcome, combine
from rules.simulation import PastLineDecision, SimulationReport, simulate
from rules.validation import RuleSetInvalid, rule_set_errors, validate_rule_set

__all__ = [
    "FACTS",
    "Action",
    "CompiledRuleSet",
    "Decision",
    "Fact",
    "FactType",
    "Outcome",
    "PastLineDecision",
    "RefundTiming",
    "RequestOutcome",
    "RuleSetInvalid",
    "SimulationReport",
    "combine",
    "compile_rule_set",
    "default_rule_set",
    "dump_rule_set",
    "interpret",
    "load_rule_set",
    "rule_set_errors",
    "simulate",
    "text_in",
    "validate_rule_set",
]
