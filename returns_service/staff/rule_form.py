"""The structured rules editor's form, read back into a rule set document, and its edits.

Each rule's fields are named ``rules-<i>-<field>``; each condition node
``rules-<i>-<node>-<field>``, where the node is ``c`` for the rule's condition and
``c.1.0`` for the first child of its second child. The document is read leniently (a
value that is not a number stays text) so that validation can say what is wrong where.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from werkzeug.datastructures import MultiDict

from rules.facts import FACTS, FactType, Scope, facts_in
from rules.operators import OPERATORS_BY_TYPE, Op, Operand, operand

#: Action fields that are a single choice or text; empty means unset.
PLAIN_ACTION_FIELDS = (
    "return_method",
    "return_shipping_paid_by",
    "refund_timing",
    "exchange_upcharge",
    "exchange_scope",
)
AMOUNT_FIELDS = ("restocking_fee", "bonus_credit")
GROUPS = ("all", "any", "not")
_NODE_KEY = re.compile(r"^rules-(\d+)-(c(?:\.\d+)*)-kind$")
_INTEGER = re.compile(r"^[+-]?\d+$")


def document_from_form(form: MultiDict[str, str]) -> dict[str, Any]:
    """The rule set the editor's fields describe, not yet validated."""
    count = int(form.get("rule_count", "0") or 0)
    scope = form.get("scope", Scope.RETURN.value)
    return {
        "name": form.get("name", "").strip(),
        "description": form.get("description", "").strip(),
        "scope": scope,
        "rules": [_rule(form, index) for index in range(min(count, 500))],
    }


def _rule(form: MultiDict[str, str], index: int) -> dict[str, Any]:
    prefix = f"rules-{index}-"
    rule: dict[str, Any] = {"name": form.get(prefix + "name", "").strip()}
    description = form.get(prefix + "description", "").strip()
    if description:
        rule["description"] = description
    nodes = sorted(
        (found[2] for key in form if (found := _NODE_KEY.match(key)) and int(found[1]) == index),
        key=_node_order,
    )
    if "c" in nodes:
        rule["condition"] = _node(form, prefix, "c", nodes)
    rule["action"] = _action(form, prefix)
    return rule


def _node_order(node: str) -> tuple[int, ...]:
    return tuple(int(part) for part in node.split(".")[1:])


def _node(form: MultiDict[str, str], prefix: str, node: str, nodes: list[str]) -> dict[str, Any]:
    kind = form.get(f"{prefix}{node}-kind", "leaf")
    if kind not in GROUPS:
        return _leaf(form, f"{prefix}{node}-")
    depth = node.count(".") + 1
    children = [
        _node(form, prefix, child, nodes)
        for child in nodes
        if child.startswith(node + ".") and child.count(".") == depth
    ]
    if kind == "not":
        return {"not": children[0] if len(children) == 1 else {"all": children}}
    return {kind: children}


def _leaf(form: MultiDict[str, str], prefix: str) -> dict[str, Any]:
    fact_name = form.get(prefix + "fact", "")
    op = form.get(prefix + "op", "")
    leaf: dict[str, Any] = {"fact": fact_name, "op": op}
    fact = FACTS.get(fact_name)
    shape = operand(Op(op)) if op in tuple(Op) else Operand.SCALAR
    if fact is None or shape is Operand.NONE:
        return leaf
    values = [value.strip() for value in form.getlist(prefix + "value")]
    if shape is Operand.RANGE:
        leaf["value"] = [
            _typed(fact.type, form.get(prefix + "value", "").strip()),
            _typed(fact.type, form.get(prefix + "value2", "").strip()),
        ]
    elif shape is Operand.LIST:
        items = values if len(values) > 1 else [v.strip() for v in ",".join(values).split(",")]
        leaf["value"] = [_typed(fact.type, item) for item in items if item]
    elif values and (values[0] or fact.type in (FactType.STRING, FactType.STRING_LIST)):
        leaf["value"] = _typed(fact.type, values[0])
    return leaf


def _typed(kind: FactType, text: str) -> Any:
    """The value as the fact's type holds it; text that does not fit stays text."""
    if kind is FactType.BOOLEAN and text in ("true", "false"):
        return text == "true"
    if kind in (FactType.INTEGER, FactType.NUMBER) and _INTEGER.match(text):
        return int(text)
    if kind is FactType.NUMBER:
        try:
            return float(text)
        except ValueError:
            return text
    return text


def _action(form: MultiDict[str, str], prefix: str) -> dict[str, Any]:
    action: dict[str, Any] = {"outcome": form.get(prefix + "outcome", "")}
    ja, en = form.get(prefix + "message_ja", "").strip(), form.get(prefix + "message_en", "")
    if ja or en.strip():
        action["message"] = {"ja": ja, "en": en.strip()}
    reason = {
        locale: text
        for locale in ("ja", "en")
        if (text := form.get(f"{prefix}review_reason_{locale}", "").strip())
    }
    if len(reason) == 2:
        action["review_reason"] = reason
    elif reason:
        action["review_reason"] = next(iter(reason.values()))
    for field in PLAIN_ACTION_FIELDS:
        value = form.get(prefix + field, "").strip()
        if value:
            action[field] = value
    resolutions = form.getlist(prefix + "allowed_resolutions")
    if resolutions:
        action["allowed_resolutions"] = resolutions
    for field in AMOUNT_FIELDS:
        kind = form.get(f"{prefix}{field}_kind", "")
        amount = form.get(f"{prefix}{field}_amount", "").strip()
        if kind in ("percent", "fixed"):
            number = _typed(FactType.INTEGER if kind == "fixed" else FactType.NUMBER, amount)
            action[field] = {kind: number}
    return action


def new_leaf(scope: Scope) -> dict[str, Any]:
    """A condition to start from: the scope's first fact, its first operator."""
    fact = next(iter(facts_in(scope).values()))
    op = OPERATORS_BY_TYPE[fact.type][0]
    leaf: dict[str, Any] = {"fact": fact.name, "op": op.value}
    if fact.allowed:
        leaf["value"] = fact.allowed[0]
    return leaf


def apply_edit(document: dict[str, Any], edit: str) -> dict[str, Any]:
    """Apply an editor button's edit (``add_rule``, ``remove_rule:2``, ``up:1``,
    ``add_condition:0:c.1``, ``add_group:0:c:any``, ``remove_condition:0:c.1.0``,
    ``condition_up:0:c.1``)."""
    verb, *args = edit.split(":")
    rules_ = document["rules"]
    scope = Scope(document["scope"]) if document.get("scope") in tuple(Scope) else Scope.RETURN
    if verb == "add_rule":
        # New rules go before the last one, which stays the default.
        number = len(rules_) + 1
        new = {
            "name": f"rule_{number}",
            "condition": {"all": [new_leaf(scope)]},
            "action": {"outcome": "review", "review_reason": ""},
        }
        rules_.insert(max(len(rules_) - 1, 0), new)
        return document
    index = _index(args, rules_)
    if index is None:
        return document
    if verb == "remove_rule":
        rules_.pop(index)
    elif verb in ("up", "down"):
        other = index - 1 if verb == "up" else index + 1
        if 0 <= other < len(rules_):
            rules_[index], rules_[other] = rules_[other], rules_[index]
    elif verb in ("add_condition", "add_group") and len(args) >= 2:
        child = new_leaf(scope)
        if verb == "add_group":
            kind = args[2] if len(args) > 2 and args[2] in GROUPS else "any"
            child = {"not": child} if kind == "not" else {kind: [child]}
        _add_child(rules_[index], args[1], child)
    elif verb == "remove_condition" and len(args) >= 2:
        _remove(rules_[index], args[1])
    elif verb == "condition_up" and len(args) >= 2:
        _move_up(rules_[index], args[1])
    return document


def _index(args: list[str], rules_: list[Any]) -> int | None:
    if not args or not args[0].isdigit() or int(args[0]) >= len(rules_):
        return None
    return int(args[0])


def _find(rule: Mapping[str, Any], node: str) -> Any:
    current = rule.get("condition")
    for part in node.split(".")[1:]:
        if not isinstance(current, dict) or len(current) != 1:
            return None
        ((kind, inner),) = current.items()
        if kind == "not":
            current = inner
        elif kind in GROUPS and isinstance(inner, list) and int(part) < len(inner):
            current = inner[int(part)]
        else:
            return None
    return current


def _add_child(rule: dict[str, Any], node: str, child: dict[str, Any]) -> None:
    target = _find(rule, node)
    if node == "c" and target is None:
        rule["condition"] = {"all": [child]}
    elif isinstance(target, dict) and ("all" in target or "any" in target):
        target[next(iter(target))].append(child)
    elif isinstance(target, dict) and node == "c":
        # A single leaf or a not becomes the first of an "all".
        rule["condition"] = {"all": [target, child]}


def _remove(rule: dict[str, Any], node: str) -> None:
    if node == "c":
        rule.pop("condition", None)
        return
    parent_node, _, last = node.rpartition(".")
    parent = _find(rule, parent_node)
    if not isinstance(parent, dict) or len(parent) != 1:
        return
    ((kind, inner),) = parent.items()
    if kind == "not":
        _remove(rule, parent_node)
    elif isinstance(inner, list) and int(last) < len(inner):
        inner.pop(int(last))
        if not inner:
            _remove(rule, parent_node)


def _move_up(rule: dict[str, Any], node: str) -> None:
    """Swap a condition with the one before it in its group."""
    parent_node, _, last = node.rpartition(".")
    parent = _find(rule, parent_node) if parent_node else None
    if not isinstance(parent, dict) or len(parent) != 1 or not last.isdigit():
        return
    ((kind, inner),) = parent.items()
    position = int(last)
    if kind in ("all", "any") and isinstance(inner, list) and 0 < position < len(inner):
        inner[position - 1], inner[position] = inner[position], inner[position - 1]
