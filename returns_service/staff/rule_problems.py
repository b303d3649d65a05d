"""Rule set validation problems in the staff's language, placed where they belong.

A problem's path (``rules[0].condition.all[1].value``) names the rule, the condition node
(``c.1``, as the editor's fields name it) and the field the problem is shown beside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from returns_service.staff.rule_labels import ACTION_FIELD_LABELS, fact_label
from rules.error_codes import classify
from rules.facts import FACTS

_TEXTS = {
    "unknown_fact": _l("Choose a fact from the list."),
    "fact_out_of_scope": _l("This fact cannot be used in these rules."),
    "unknown_operator": _l("Choose a comparison from the list."),
    "operator_not_for_fact": _l("This comparison does not apply to %(fact)s."),
    "no_value_expected": _l("This comparison takes no value."),
    "value_required": _l("Enter a value."),
    "null_value": _l("Enter a value; to test for a missing fact choose “is unknown”."),
    "range_expected": _l("Enter the lowest and the highest value."),
    "list_expected": _l("Enter one or more values, separated by commas."),
    "not_integer": _l("%(fact)s is a whole number."),
    "not_number": _l("%(fact)s is a number."),
    "not_boolean": _l("Choose yes or no."),
    "not_text": _l("%(fact)s is compared with text."),
    "not_a_fact_choice": _l("Choose a value from the list."),
    "not_a_date": _l("Enter a date as YYYY-MM-DD."),
    "below_minimum": _l("%(fact)s is never below %(limit)s."),
    "above_maximum": _l("%(fact)s is never above %(limit)s."),
    "range_reversed": _l("The lowest value is above the highest."),
    "too_deep": _l("Conditions may be nested at most 10 levels deep."),
    "empty_any": _l("Add at least one condition to this group."),
    "malformed_condition": _l("This condition is incomplete."),
    "required": _l("This is required."),
    "unknown_field": _l("This field is not known."),
    "not_a_choice": _l("Choose one from the list."),
    "empty": _l("This must not be empty."),
    "out_of_range": _l("This number is out of range."),
    "wrong_type": _l("This value has the wrong type."),
    "not_for_outcome": _l("%(field)s does not go with this outcome."),
    "reject_needs_message": _l("A rejection needs a message for the customer in both languages."),
    "review_needs_reason": _l("Sending to a person needs a reason to show to staff."),
    "keep_item_on_approval": _l("When the item is kept, the refund is issued on approval."),
    "keep_item_returns_only": _l("Keeping the item applies to returns only."),
    "bonus_not_refund_only": _l("A bonus goes with an exchange or store credit, not refund only."),
    "one_amount": _l("Give a percentage or a fixed amount."),
    "repeated_resolution": _l("List each resolution once."),
    "unknown_placeholder": _l("{%(name)s} is not a fact of these rules."),
    "duplicate_name": _l("Another rule has the name %(name)s."),
    "unreachable_rules": _l("This rule matches every request, so the rules below it never run."),
    "default_has_condition": _l("The last rule is the default and must have no condition."),
    "no_rules": _l("Add at least one rule: the default."),
    "not_yaml": _l("The YAML cannot be read: %(message)s"),
    "not_a_rule_set": _l("A rule set has a name and rules."),
}

_RULE = re.compile(r"^rules\[(\d+)\]\.?(.*)$")
_STEP = re.compile(r"^\.?(all|any)\[(\d+)\]|^\.?not")


@dataclass(frozen=True, slots=True)
class Place:
    """Where a problem shows: a rule (or None: the whole set), a node or action field."""

    rule: int | None
    node: str | None
    field: str


def place_of(path: str) -> Place:
    """The rule, condition node and field a validation path points at."""
    found = _RULE.match(path)
    if not found:
        return Place(None, None, path)
    rule, rest = int(found[1]), found[2]
    if rest.startswith("condition"):
        node, rest = "c", rest[len("condition") :]
        while step := _STEP.match(rest):
            node += f".{step[2]}" if step[1] else ".0"
            rest = rest[step.end() :]
        return Place(rule, node, rest.lstrip(".").split("[")[0].split(".")[0])
    if rest.startswith("action."):
        return Place(rule, None, rest[len("action.") :].replace(".", "_").split("[")[0])
    return Place(rule, None, rest.split(".")[0] or "action")


def problem_text(problem: dict[str, Any]) -> str:
    """The problem in the reader's language; unknown ones keep their English message."""
    code, params = classify(problem["message"])
    text = _TEXTS.get(code)
    if text is None:
        return problem["message"]
    if "fact" in params and params["fact"] in FACTS:
        params["fact"] = fact_label(FACTS[params["fact"]])
    field = place_of(problem.get("path", "")).field
    params.setdefault("field", str(ACTION_FIELD_LABELS.get(field, field)))
    params.setdefault("message", problem["message"])
    return str(text) % params if "%(" in str(text) else str(text)


def placed(problems: list[dict[str, Any]]) -> dict[tuple[int | None, str | None, str], list[str]]:
    """Translated problems by (rule, node, field); whole-set ones under (None, None, path)."""
    by_place: dict[tuple[int | None, str | None, str], list[str]] = {}
    for problem in problems:
        place = place_of(problem.get("path", ""))
        key = (place.rule, place.node, place.field)
        by_place.setdefault(key, []).append(problem_text(problem))
    return by_place
