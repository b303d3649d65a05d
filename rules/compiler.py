"""Compile a validated rule set once into one plain Python function.

The whole rule set becomes straight-line Python source: a block per rule, each leaf an
inline comparison, the first matching rule returning its Decision. Nothing from the
document is written into that source: every value, fact name and action is handed in
as a closure variable `c<n>`, so the text holds only names and operators written here.

Each fact is fetched from the mapping and recorded in `facts_read` where it is first
read; where the generator can tell that every path so far has already read it, the
local variable is reused instead. The result must agree exactly with
`rules.interpreter.interpret`, which tests check on random rule sets.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from rules.actions import Action
from rules.decision import Decision
from rules.facts import FACTS
from rules.messages import pieces, show
from rules.operators import Op
from rules.validation import validate_rule_set

_FACT_INDEX = {name: index for index, name in enumerate(FACTS)}

# Python for each operator. {first} reads the fact (or names its local variable once it
# is surely read), {v} is the local variable, {k} the value and {h} the upper bound of
# between. Null only satisfies is_null.
_TESTS = {
    Op.EQ: "{first} == {k}",
    Op.NE: "{first} is not None and {v} != {k}",
    Op.LT: "{first} is not None and {v} < {k}",
    Op.LE: "{first} is not None and {v} <= {k}",
    Op.GT: "{first} is not None and {v} > {k}",
    Op.GE: "{first} is not None and {v} >= {k}",
    Op.IN: "{first} in {k}",
    Op.NOT_IN: "{first} is not None and {v} not in {k}",
    Op.CONTAINS: "{first} is not None and {k} in {v}",
    Op.CONTAINS_ANY: "{first} is not None and not {k}.isdisjoint({v})",
    Op.STARTS_WITH: "{first} is not None and {v}.startswith({k})",
    Op.BETWEEN: "{first} is not None and {k} <= {v} <= {h}",
    Op.IS_NULL: "{first} is None",
    Op.IS_NOT_NULL: "{first} is not None",
}


@dataclass(frozen=True, slots=True, eq=False)
class CompiledRuleSet:
    """A rule set ready to decide; `decide(facts)` is thread-safe and keeps no state."""

    name: str
    #: The normalised document it was compiled from.
    doc: dict[str, Any]
    decide: Callable[[Mapping[str, object]], Decision]
    #: The generated Python, for reading when a decision surprises someone.
    source: str


def compile_rule_set(doc: Mapping[str, Any]) -> CompiledRuleSet:
    """Validate `doc` and compile it; raises RuleSetInvalid if it is not valid."""
    normalised = validate_rule_set(doc)
    generator = _Generator()
    source = generator.module(normalised["rules"])
    namespace: dict[str, Any] = {}
    # The source is ours (see the module docstring); no builtins are needed or given.
    exec(compile(source, "<compiled rule set>", "exec"), {"__builtins__": {}}, namespace)
    decide = namespace["bind"](*generator.constants)
    return CompiledRuleSet(normalised["name"], normalised, decide, source)


class _Generator:
    """Writes the source of one rule set and collects the constants it refers to."""

    def __init__(self) -> None:
        self.constants: list[Any] = []
        # Decisions are built by setting their slots directly: a third of the cost of the
        # frozen dataclass __init__, which would check nothing here.
        self.new_decision = f"{self.constant(object.__new__)}({self.constant(Decision)})"
        self.setters = {
            field.name: self.constant(getattr(Decision, field.name).__set__)
            for field in fields(Decision)
        }
        self.show = self.constant(show)

    def constant(self, value: Any) -> str:
        self.constants.append(value)
        return f"c{len(self.constants) - 1}"

    def module(self, rules: list[dict[str, Any]]) -> str:
        lines = []
        known: frozenset[str] = frozenset()
        for index, rule in enumerate(rules):
            lines.append(f"        # rules[{index}]")
            returned = self.returned(index, rule)
            condition = rule.get("condition")
            if condition is None:
                lines.extend(f"        {line}" for line in returned)
                continue
            first = _first_leaf(condition)
            if first is not None and first["fact"] not in known:
                # The first leaf always runs: read its fact with plain statements, which
                # cost less than recording it inside the expression.
                variable, name = _variable(first["fact"]), self.constant(first["fact"])
                lines.append(f"        {variable} = get({name})")
                lines.append(f"        read[{name}] = {variable}")
                known |= {first["fact"]}
            test, known = self.expression(condition, known)
            if index < len(rules) - 1:
                lines.append(f"        if {test}:")
                lines.extend(f"            {line}" for line in returned)
            else:
                # Validation made the last rule match everything; its condition still
                # runs so that facts_read is the same as the interpreter's.
                lines.append(f"        {test}")
                lines.extend(f"        {line}" for line in returned)
        header = ["    def decide(facts):", "        get = facts.get", "        read = {}"]
        if any("record(" in line for line in lines):
            # setdefault records a fact's first reading and can sit inside an expression.
            header.append("        record = read.setdefault")
        parameters = ", ".join(f"c{i}" for i in range(len(self.constants)))
        return "\n".join([f"def bind({parameters}):", *header, *lines, "    return decide", ""])

    def returned(self, index: int, rule: dict[str, Any]) -> list[str]:
        """Return the statements that build and return rule `index`'s Decision."""
        action = Action.from_dict(rule["action"])
        if action.message is None:
            message = "None"
        else:
            ja, en = self.text(action.message.ja), self.text(action.message.en)
            # A fresh dict per decision, so no caller can change another's message.
            message = f"{{'ja': {ja}, 'en': {en}}}"
        values = {
            "outcome": self.constant(action.outcome),
            "rule": self.constant(rule["name"]),
            "rule_index": str(index),
            "action": self.constant(action),
            "message": message,
            "facts_read": "read",
        }
        lines = [f"decision = {self.new_decision}"]
        lines.extend(f"{self.setters[name]}(decision, {value})" for name, value in values.items())
        lines.append("return decision")
        return lines

    def text(self, template: str) -> str:
        """Return an expression for `template` with its placeholders filled in."""
        terms = []
        for position, part in enumerate(pieces(template)):
            if position % 2:
                terms.append(f"{self.show}(get({self.constant(part)}))")
            elif part:
                terms.append(self.constant(part))
        return " + ".join(terms) or "''"

    def expression(self, node: dict[str, Any], known: frozenset[str]) -> tuple[str, frozenset[str]]:
        """Return a Python expression for `node`, and `known` plus the facts it surely reads."""
        if "not" in node:
            inner, known = self.expression(node["not"], known)
            return f"not {inner}", known
        if "all" in node or "any" in node:
            is_all = "all" in node
            children = node["all"] if is_all else node["any"]
            if not children:
                return str(is_all), known
            first, after_first = self.expression(children[0], known)
            terms, inside = [first], after_first
            for child in children[1:]:
                # Reaching a later child means every earlier one ran: their reads are known.
                term, inside = self.expression(child, inside)
                terms.append(term)
            # Only the first child surely runs, so only its reads are known afterwards.
            return "(" + (" and " if is_all else " or ").join(terms) + ")", after_first
        return self.leaf(node, known)

    def leaf(self, node: dict[str, Any], known: frozenset[str]) -> tuple[str, frozenset[str]]:
        fact, op = node["fact"], Op(node["op"])
        variable = _variable(fact)
        first = variable
        if fact not in known:
            name = self.constant(fact)
            first = f"({variable} := record({name}, get({name})))"
        template, value = _TESTS[op], node.get("value")
        if op in (Op.IS_NULL, Op.IS_NOT_NULL):
            test = template.format(first=first)
        elif op is Op.BETWEEN:
            low, high = self.constant(value[0]), self.constant(value[1])
            test = template.format(first=first, v=variable, k=low, h=high)
        elif op in (Op.IN, Op.NOT_IN, Op.CONTAINS_ANY):
            test = template.format(first=first, v=variable, k=self.constant(frozenset(value)))
        else:
            test = template.format(first=first, v=variable, k=self.constant(value))
        return f"({test})", known | {fact}


def _variable(fact: str) -> str:
    """Return the local variable holding `fact` in the generated code."""
    return f"f{_FACT_INDEX[fact]}"


def _first_leaf(node: dict[str, Any]) -> dict[str, Any] | None:
    """Return the leaf evaluated first in `node`, or None if it has no leaves up front."""
    while "fact" not in node:
        children = node.get("all", node.get("any"))
        if children == []:
            return None
        node = node["not"] if children is None else children[0]
    return node
