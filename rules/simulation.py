"""Replay past line decisions through a draft rule set, to see what would change.

A line counts as changed when its outcome differs. Lines that keep their outcome but
move to another rule show up in the per-rule numbers (gained, lost), not as changed.

The money a change moves is the line's value (``line_total``, or ``order_total`` for a
cancellation) in the resolution the customer asked for: an approval pays it back as a
refund or store credit, a rejection or a review pays nothing yet. Exchanges move no money.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from rules.actions import Outcome
from rules.compiler import CompiledRuleSet


class PastLineDecision(NamedTuple):
    """A line decided earlier: the facts seen then, and what was decided by which rule.

    A tuple rather than a frozen dataclass: a simulation makes one per past line, a million
    of them, and a frozen dataclass takes three times as long to make.
    """

    request_id: str | int
    line_id: str | int
    facts: Mapping[str, object]
    outcome: Outcome
    rule: str


@dataclass(frozen=True, slots=True)
class RuleCount:
    """How many lines a rule decided before and after, and how many moved to or from it."""

    rule: str
    before: int
    after: int
    gained: int
    lost: int


@dataclass(frozen=True, slots=True)
class ChangedLine:
    """One line whose outcome would change."""

    request_id: str | int
    line_id: str | int
    before: Outcome
    after: Outcome
    old_rule: str
    new_rule: str
    #: The line's value, its currency and how it would be paid back (None for exchanges).
    amount: int = 0
    currency: str = ""
    paid_as: str | None = None


@dataclass(frozen=True, slots=True)
class MoneyChange:
    """Refunds or store credit (minor units of one currency) issued more and less."""

    currency: str
    paid_as: str
    more: int
    less: int


#: The facts the money report reads, whatever facts a draft's rules test.
MONEY_FACTS = frozenset({"line_total", "order_total", "resolution", "currency"})
#: The outcomes that pay a line's value back.
_PAYING = frozenset({Outcome.APPROVE, Outcome.APPROVE_KEEP_ITEM})
#: Outcomes by value (an outcome is its value too): looked up a million times, faster than
#: calling ``Outcome``.
_OUTCOMES = {outcome.value: outcome for outcome in Outcome}
_MONEY_RESOLUTIONS = {"refund": "refund", "store_credit": "store_credit"}


def _value(facts: Mapping[str, object]) -> tuple[int, str, str | None]:
    """A line's value, currency and the way it is paid back, from its facts."""
    amount = facts.get("line_total", facts.get("order_total"))
    resolution = str(facts.get("resolution", "refund"))
    currency = str(facts.get("currency") or "")
    if type(amount) is not int:
        return 0, currency, None
    return amount, currency, _MONEY_RESOLUTIONS.get(resolution)


@dataclass(frozen=True, slots=True)
class SimulationReport:
    """What a draft rule set would have decided differently on past lines."""

    total: int
    changed: int
    #: Lines by (outcome before, outcome after), unchanged pairs included.
    transitions: Mapping[tuple[Outcome, Outcome], int]
    #: The new rule set's rules in order, then rules that only decided in the past.
    rules: tuple[RuleCount, ...]
    #: The first changed lines, in the order they were given.
    sample: tuple[ChangedLine, ...]
    #: Money issued more or less over all changed lines, by currency and way paid.
    money: tuple[MoneyChange, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable form."""
        return {
            "total": self.total,
            "changed": self.changed,
            "transitions": [
                {"from": str(before), "to": str(after), "count": count}
                for (before, after), count in self.transitions.items()
            ],
            "rules": [
                {
                    "rule": count.rule,
                    "before": count.before,
                    "after": count.after,
                    "gained": count.gained,
                    "lost": count.lost,
                }
                for count in self.rules
            ],
            "sample": [
                {
                    "request_id": line.request_id,
                    "line_id": line.line_id,
                    "before": str(line.before),
                    "after": str(line.after),
                    "old_rule": line.old_rule,
                    "new_rule": line.new_rule,
                    "amount": line.amount,
                    "currency": line.currency,
                    "paid_as": line.paid_as,
                }
                for line in self.sample
            ],
            "money": [
                {
                    "currency": change.currency,
                    "paid_as": change.paid_as,
                    "more": change.more,
                    "less": change.less,
                    "net": change.more - change.less,
                }
                for change in self.money
            ],
        }


def simulate(
    compiled: CompiledRuleSet, past: Iterable[PastLineDecision], sample_size: int = 20
) -> SimulationReport:
    """Decide every past line again with `compiled` and count what changes."""
    decide = compiled.decide
    # One count per (outcome before, after, rule before, after), the rest summed from it:
    # one increment per line instead of four.
    seen: Counter[tuple[Outcome, Outcome, str, str]] = Counter()
    sample: list[ChangedLine] = []
    more: Counter[tuple[str, str]] = Counter()
    less: Counter[tuple[str, str]] = Counter()
    for line in past:
        decision = decide(line.facts)
        old_outcome = _OUTCOMES.get(line.outcome) or Outcome(line.outcome)
        new_outcome = decision.outcome
        seen[old_outcome, new_outcome, line.rule, decision.rule] += 1
        if new_outcome is old_outcome:
            continue
        amount, currency, paid_as = _value(line.facts)
        paid_before, paid_after = old_outcome in _PAYING, new_outcome in _PAYING
        if paid_as is not None and paid_before != paid_after:
            (more if paid_after else less)[currency, paid_as] += amount
        if len(sample) < sample_size:
            sample.append(
                ChangedLine(
                    line.request_id,
                    line.line_id,
                    old_outcome,
                    new_outcome,
                    line.rule,
                    decision.rule,
                    amount,
                    currency,
                    paid_as,
                )
            )
    transitions: Counter[tuple[Outcome, Outcome]] = Counter()
    before: Counter[str] = Counter()
    after: Counter[str] = Counter()
    gained: Counter[str] = Counter()
    lost: Counter[str] = Counter()
    for (old_outcome, new_outcome, old_rule, new_rule), count in seen.items():
        transitions[old_outcome, new_outcome] += count
        before[old_rule] += count
        after[new_rule] += count
        if old_rule != new_rule:
            lost[old_rule] += count
            gained[new_rule] += count
    names = [rule["name"] for rule in compiled.doc["rules"]]
    current = set(names)
    names += [name for name in before if name not in current]
    return SimulationReport(
        total=sum(transitions.values()),
        changed=sum(count for (old, new), count in transitions.items() if old is not new),
        transitions=dict(transitions),
        rules=tuple(
            RuleCount(name, before[name], after[name], gained[name], lost[name]) for name in names
        ),
        sample=tuple(sample),
        money=tuple(
            MoneyChange(currency, paid_as, more[currency, paid_as], less[currency, paid_as])
            for currency, paid_as in sorted(set(more) | set(less))
        ),
    )
