"""The structured editor's view of a rule set: rows of rules, condition trees, inputs by type.

Built from the fact registry, so a fact added there gets its input here at once. Works on
documents that failed validation too, showing what was entered beside what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from returns_service.staff.rule_form import AMOUNT_FIELDS, GROUPS, PLAIN_ACTION_FIELDS
from returns_service.staff.rule_labels import (
    GROUP_LABELS,
    OPERATOR_LABELS,
    choice_label,
    fact_description,
    fact_label,
)
from rules.actions import (
    ExchangeScope,
    Outcome,
    RefundTiming,
    Resolution,
    ReturnMethod,
    ShippingPayer,
    Upcharge,
)
from rules.facts import FACTS, Fact, FactType, Scope, facts_in
from rules.operators import OPERATORS_BY_TYPE, Op, Operand, operand

Placed = dict[tuple[int | None, str | None, str], list[str]]

_CHOICES = {
    "return_method": ReturnMethod,
    "return_shipping_paid_by": ShippingPayer,
    "refund_timing": RefundTiming,
    "exchange_upcharge": Upcharge,
    "exchange_scope": ExchangeScope,
}


@dataclass
class Node:
    """One condition: a group of children, or a leaf comparing a fact with a value."""

    key: str  # the form's prefix, ``rules-0-c.1``
    node: str
    kind: str
    dom_id: str
    children: list[Node] = field(default_factory=list)
    fact: str = ""
    op: str = ""
    ops: list[tuple[str, str]] = field(default_factory=list)
    input: str = "text"  # number, integer, boolean, choice, choices, date, text, range, none
    value: str = ""
    value2: str = ""
    range_input: str = "text"
    selected: list[str] = field(default_factory=list)
    choices: list[tuple[str, str]] = field(default_factory=list)
    hint: str = ""
    problems: list[str] = field(default_factory=list)


@dataclass
class RuleRow:
    """One rule: its name, its condition tree and its action's fields."""

    index: int
    name: str
    description: str
    condition: Node | None
    action: dict[str, Any]
    problems: dict[str, list[str]]

    def problems_for(self, *names: str) -> list[str]:
        """The problems of the named fields (``restocking_fee`` takes ``restocking_fee_*``)."""
        return [
            text
            for key, texts in self.problems.items()
            if any(key == name or key.startswith(name + "_") for name in names)
            for text in texts
        ]


def editor_rows(document: dict[str, Any], problems: Placed) -> list[RuleRow]:
    """The rules of `document` as the editor shows them, with the problems placed."""
    rows = []
    for index, rule in enumerate(document.get("rules") or []):
        if not isinstance(rule, dict):
            continue
        condition = rule.get("condition")
        own = {
            place[2] or ("condition" if place[1] else "rule"): texts
            for place, texts in problems.items()
            if place[0] == index and (place[1] is None or condition is None)
        }
        rows.append(
            RuleRow(
                index=index,
                name=str(rule.get("name", "")),
                description=str(rule.get("description", "")),
                condition=None if condition is None else _node(condition, index, "c", problems),
                action=_action(rule.get("action")),
                problems=own,
            )
        )
    return rows


def _node(condition: Any, rule: int, node: str, problems: Placed) -> Node:
    key = f"rules-{rule}-{node}"
    dom_id = "cond-" + f"{rule}-{node}".replace(".", "-")
    own = [text for place, texts in problems.items() if place[:2] == (rule, node) for text in texts]
    kind = next(iter(condition), "") if isinstance(condition, dict) and len(condition) == 1 else ""
    if kind in GROUPS:
        inner = condition[kind]
        items = [inner] if kind == "not" else inner if isinstance(inner, list) else []
        children = [_node(child, rule, f"{node}.{i}", problems) for i, child in enumerate(items)]
        return Node(key, node, kind, dom_id, children=children, problems=own)
    leaf = condition if isinstance(condition, dict) else {}
    shown = Node(key, node, "leaf", dom_id, problems=own)
    _fill_leaf(shown, leaf)
    return shown


def _fill_leaf(shown: Node, leaf: dict[str, Any]) -> None:
    shown.fact, shown.op = str(leaf.get("fact", "")), str(leaf.get("op", ""))
    fact = FACTS.get(shown.fact)
    allowed = OPERATORS_BY_TYPE[fact.type] if fact else tuple(Op)
    shown.ops = [(op.value, str(OPERATOR_LABELS[op.value])) for op in allowed]
    if shown.op and shown.op not in {value for value, _ in shown.ops}:
        shown.ops.append((shown.op, str(OPERATOR_LABELS.get(shown.op, shown.op))))
    if fact is None:
        return
    shown.hint = fact_description(fact)
    shape = operand(Op(shown.op)) if shown.op in tuple(Op) else Operand.SCALAR
    value = leaf.get("value")
    if fact.allowed:
        shown.choices = [(code, choice_label(code)) for code in fact.allowed]
    if shape is Operand.NONE:
        shown.input = "none"
    elif shape is Operand.RANGE:
        shown.input = "range"
        shown.range_input = {"integer": "integer", "number": "number", "date": "date"}.get(
            _scalar_input(fact), "text"
        )
        low, high = (value + [None, None])[:2] if isinstance(value, list) else (None, None)
        shown.value, shown.value2 = _text(low), _text(high)
    elif shape is Operand.LIST and fact.type is FactType.ENUM:
        shown.input = "choices"
        shown.selected = [str(item) for item in value] if isinstance(value, list) else []
        # The chosen values first, in the rule's order, so that saving keeps the list as it is.
        labels = dict(shown.choices)
        shown.choices = [(code, labels.get(code, code)) for code in shown.selected] + [
            choice for choice in shown.choices if choice[0] not in shown.selected
        ]
    elif shape is Operand.LIST:
        shown.input = "list"
        shown.value = ", ".join(_text(item) for item in value) if isinstance(value, list) else ""
    else:
        shown.input = _scalar_input(fact)
        shown.value = _text(value)
        if shown.input == "boolean":
            shown.choices = [("true", choice_label("true")), ("false", choice_label("false"))]


def _scalar_input(fact: Fact) -> str:
    return {
        FactType.INTEGER: "integer",
        FactType.NUMBER: "number",
        FactType.BOOLEAN: "boolean",
        FactType.ENUM: "choice",
        FactType.DATE: "date",
    }.get(fact.type, "text")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _action(action: Any) -> dict[str, Any]:
    action = action if isinstance(action, dict) else {}
    message = action.get("message") if isinstance(action.get("message"), dict) else {}
    shown: dict[str, Any] = {
        "outcome": str(action.get("outcome", "")),
        "message_ja": str(message.get("ja", "")),
        "message_en": str(message.get("en", "")),
        "allowed_resolutions": list(action.get("allowed_resolutions") or []),
        **_review_reason(action.get("review_reason")),
    }
    for name in PLAIN_ACTION_FIELDS:
        shown[name] = str(action.get(name, "") or "")
    for name in AMOUNT_FIELDS:
        amount = action.get(name) if isinstance(action.get(name), dict) else {}
        kind = next(iter(amount), "")
        shown[f"{name}_kind"] = kind
        shown[f"{name}_amount"] = _text(amount.get(kind)) if kind else ""
    return shown


def _review_reason(reason: Any) -> dict[str, str]:
    """A review reason in its two fields; a single text goes where its script says."""
    if isinstance(reason, dict):
        return {f"review_reason_{k}": str(reason.get(k, "")) for k in ("ja", "en")}
    text = _text(reason)
    japanese = not text.isascii()
    return {
        "review_reason_ja": text if japanese else "",
        "review_reason_en": "" if japanese else text,
    }


def editor_choices(scope: Scope) -> dict[str, Any]:
    """The lists the editor's selects offer, labelled in the reader's language."""
    return {
        "facts": [
            (name, fact_label(fact), fact.type.value) for name, fact in facts_in(scope).items()
        ],
        "outcomes": [
            (o.value, choice_label(o.value))
            for o in Outcome
            if scope is Scope.RETURN or o is not Outcome.APPROVE_KEEP_ITEM
        ],
        "groups": [(kind, str(label)) for kind, label in GROUP_LABELS.items()],
        "action_choices": {
            name: [(m.value, choice_label(m.value)) for m in enum]
            for name, enum in _CHOICES.items()
        },
        "resolutions": [(r.value, choice_label(r.value)) for r in Resolution],
        "amount_kinds": [(kind, choice_label(kind)) for kind in ("percent", "fixed")],
        "return_terms": scope is Scope.RETURN,
    }
