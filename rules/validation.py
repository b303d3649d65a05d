"""Validation of rule set documents on save, with errors that name the exact place.

Errors come as a list of `{"path": "rules[2].condition.all[0].value", "message": ...,
"code": ...}`; the code (see rules.error_codes) lets a page say the same in its language.
"""

import math
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

from marshmallow import (
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates,
    validates_schema,
)

from rules.actions import (
    ExchangeScope,
    Outcome,
    RefundTiming,
    Resolution,
    ReturnMethod,
    ShippingPayer,
    Upcharge,
    default_refund_timing,
)
from rules.conditions import MAX_DEPTH, always_matches, value_errors
from rules.error_codes import with_code
from rules.facts import FACTS, Fact, Scope, facts_in
from rules.messages import placeholders
from rules.operators import OPERATORS_BY_TYPE, Op

# The scope of the document being loaded. Nested schemas are built by marshmallow, so
# they cannot be handed it directly (marshmallow 4 leaves context to contextvars).
_scope: ContextVar[Scope] = ContextVar("scope", default=Scope.RETURN)
_FACTS_BY_SCOPE: dict[Scope, Mapping[str, Fact]] = {scope: facts_in(scope) for scope in Scope}

_RETURN_TERMS = (
    "return_method",
    "return_shipping_paid_by",
    "refund_timing",
    "restocking_fee",
    "allowed_resolutions",
    "bonus_credit",
    "exchange_upcharge",
    "exchange_scope",
)
#: Parameters each outcome may carry besides `outcome` and `message`, in return rule sets.
_PARAMETERS = {
    Outcome.APPROVE: frozenset(_RETURN_TERMS),
    Outcome.REJECT: frozenset(),
    # A review may carry the terms that apply if a person approves.
    Outcome.REVIEW: frozenset(_RETURN_TERMS) | {"review_reason"},
    Outcome.APPROVE_KEEP_ITEM: frozenset({"refund_timing", "allowed_resolutions", "bonus_credit"}),
}


class RuleSetInvalid(Exception):
    """A rule set document failed validation; `errors` says where and why."""

    def __init__(self, errors: list[dict[str, str]]):
        self.errors = errors
        shown = "; ".join(f"{e['path'] or '(document)'}: {e['message']}" for e in errors[:3])
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        super().__init__(f"invalid rule set: {shown}{more}")


def _choices(enum: type) -> validate.OneOf:
    return validate.OneOf([member.value for member in enum], error="Must be one of: {choices}.")


class _StrictNumber(fields.Field):
    """A JSON number, refusing strings and booleans that marshmallow would coerce."""

    def __init__(self, *, integer: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        self.integer = integer

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        allowed = (int,) if self.integer else (int, float)
        if type(value) not in allowed or not math.isfinite(value):
            raise ValidationError("Not a valid integer." if self.integer else "Not a valid number.")
        return value


def _known_placeholders(template: str) -> None:
    facts = _FACTS_BY_SCOPE[_scope.get()]
    for name in placeholders(template):
        if name not in facts:
            raise ValidationError(f"unknown placeholder {{{name}}}: not a fact of this rule set")


class MessageSchema(Schema):
    """A customer message: both languages, placeholders naming known facts."""

    ja = fields.String(required=True, validate=[validate.Length(min=1), _known_placeholders])
    en = fields.String(required=True, validate=[validate.Length(min=1), _known_placeholders])


class _ReviewReasonText(Schema):
    """A reason for staff in both languages; no placeholders, it is shown as written."""

    ja = fields.String(required=True, validate=validate.Length(min=1))
    en = fields.String(required=True, validate=validate.Length(min=1))


class _ReviewReason(fields.Field):
    """Text for staff: one string, or ``{ja: ..., en: ...}`` to show in the staff's language."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            if not value:
                raise ValidationError("Shorter than minimum length 1.")
            return value
        if isinstance(value, dict):
            return _ReviewReasonText().load(value)
        raise ValidationError("give a text, or {ja: ..., en: ...}")


class AmountSchema(Schema):
    """A percentage of the line's value or a fixed sum in minor units."""

    percent = _StrictNumber(validate=validate.Range(0, 100))
    fixed = _StrictNumber(integer=True, validate=validate.Range(min=0))

    @validates_schema
    def _exactly_one(self, data: dict[str, Any], **kwargs: Any) -> None:
        if len(data) != 1:
            raise ValidationError("give exactly one of percent or fixed")


class ActionSchema(Schema):
    """What a rule does; which parameters are allowed depends on the outcome."""

    outcome = fields.String(required=True, validate=_choices(Outcome))
    review_reason = _ReviewReason()
    message = fields.Nested(MessageSchema)
    return_method = fields.String(validate=_choices(ReturnMethod))
    return_shipping_paid_by = fields.String(validate=_choices(ShippingPayer))
    refund_timing = fields.String(validate=_choices(RefundTiming))
    restocking_fee = fields.Nested(AmountSchema)
    allowed_resolutions = fields.List(
        fields.String(validate=_choices(Resolution)), validate=validate.Length(min=1)
    )
    bonus_credit = fields.Nested(AmountSchema)
    exchange_upcharge = fields.String(validate=_choices(Upcharge))
    exchange_scope = fields.String(validate=_choices(ExchangeScope))

    @validates("allowed_resolutions")
    def _no_repeats(self, value: list[str], **kwargs: Any) -> None:
        if len(set(value)) != len(value):
            raise ValidationError("list each resolution once")

    @validates_schema
    def _fits_outcome(self, data: dict[str, Any], **kwargs: Any) -> None:
        outcome = Outcome(data["outcome"])
        errors: dict[str, list[str]] = {}
        if _scope.get() is Scope.CANCELLATION:
            allowed = {"review_reason"} if outcome is Outcome.REVIEW else set()
            if outcome is Outcome.APPROVE_KEEP_ITEM:
                errors["outcome"] = ["keep-the-item is for returns, not cancellations"]
        else:
            allowed = _PARAMETERS[outcome]
        for key in self.fields:
            if key in data and key not in allowed and key not in ("outcome", "message"):
                errors[key] = [f"not allowed when the outcome is {outcome}"]
        if outcome is Outcome.REJECT and "message" not in data:
            errors["message"] = ["a reject needs a message for the customer, in ja and en"]
        if outcome is Outcome.REVIEW and "review_reason" not in data:
            errors["review_reason"] = ["a review needs a reason to show to staff"]
        if (
            outcome is Outcome.APPROVE_KEEP_ITEM
            and data.get("refund_timing", RefundTiming.ON_APPROVAL) != RefundTiming.ON_APPROVAL
        ):
            errors["refund_timing"] = ["keep-the-item refunds are issued on_approval"]
        resolutions = data.get("allowed_resolutions")
        if "bonus_credit" in data and resolutions and set(resolutions) == {Resolution.REFUND}:
            errors["bonus_credit"] = ["a bonus goes with exchange or store credit, not refund only"]
        if errors:
            raise ValidationError(errors)

    @post_load
    def _fill_defaults(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        outcome = Outcome(data["outcome"])
        if _scope.get() is Scope.RETURN and outcome in (Outcome.APPROVE, Outcome.APPROVE_KEEP_ITEM):
            data.setdefault("refund_timing", default_refund_timing(outcome).value)
        # Keep the declared key order, so stored documents read the same way.
        return {name: data[name] for name in self.fields if name in data}


class LeafSchema(Schema):
    """A comparison `{fact, op, value}`, typed by the fact it tests."""

    fact = fields.String(required=True)
    op = fields.String(
        required=True,
        validate=validate.OneOf(
            [op.value for op in Op], error="unknown operator {input!r}; use one of: {choices}"
        ),
    )
    value = fields.Raw(allow_none=True)

    @validates("fact")
    def _known_fact(self, value: str, **kwargs: Any) -> None:
        if value not in FACTS:
            raise ValidationError(f"unknown fact {value!r}")
        if value not in _FACTS_BY_SCOPE[_scope.get()]:
            raise ValidationError(f"fact {value!r} is not available in this rule set's scope")

    @validates_schema
    def _fits_fact(self, data: dict[str, Any], **kwargs: Any) -> None:
        fact, op = FACTS[data["fact"]], Op(data["op"])
        allowed = OPERATORS_BY_TYPE[fact.type]
        if op not in allowed:
            raise ValidationError(
                f"'{op}' does not apply to {fact.name} ({fact.type}); "
                f"use one of: {', '.join(allowed)}",
                field_name="op",
            )
        errors = value_errors(fact, op, data.get("value"), "value" in data)
        if errors:
            raise ValidationError(errors, field_name="value")


class ConditionField(fields.Field):
    """A condition tree of all / any / not over leaves, loaded node by node."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        tree, errors = _load_condition(value, depth=1)
        if errors:
            raise ValidationError(errors)
        return tree


def _load_condition(node: Any, depth: int) -> tuple[Any, Any]:
    """Return `(normalised tree, None)` or `(None, errors)` for one node and below."""
    if depth > MAX_DEPTH:
        return None, [f"conditions may nest at most {MAX_DEPTH} levels deep"]
    if not isinstance(node, dict):
        return None, ["expected a condition: {all: [...]}, {any: [...]}, {not: ...} or a leaf"]
    groups = [key for key in ("all", "any", "not") if key in node]
    if not groups:
        try:
            return LeafSchema().load(node), None
        except ValidationError as error:
            return None, error.messages
    if len(node) != 1:
        return None, ["a condition has one key, all, any or not; or fact, op and value"]
    key = groups[0]
    if key == "not":
        inner, errors = _load_condition(node["not"], depth + 1)
        return (None, {"not": errors}) if errors else ({"not": inner}, None)
    items = node[key]
    if not isinstance(items, list):
        return None, {key: ["expected a list of conditions"]}
    if key == "any" and not items:
        return None, {key: ["'any' needs at least one condition"]}
    children, child_errors = [], {}
    for index, item in enumerate(items):
        child, errors = _load_condition(item, depth + 1)
        if errors:
            child_errors[index] = errors
        children.append(child)
    return (None, {key: child_errors}) if child_errors else ({key: children}, None)


class RuleSchema(Schema):
    """One rule: a name, an optional description, a condition and an action."""

    name = fields.String(required=True, validate=validate.Length(min=1))
    description = fields.String(load_default="")
    condition = ConditionField(allow_none=True)
    action = fields.Nested(ActionSchema, required=True)

    @post_load
    def _drop_null_condition(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if data.get("condition") is None:
            data.pop("condition", None)
        return {name: data[name] for name in self.fields if name in data}


class RuleSetSchema(Schema):
    """A rule set: ordered rules, the first match decides, the last is the default."""

    name = fields.String(required=True, validate=validate.Length(min=1))
    description = fields.String(load_default="")
    scope = fields.String(load_default=Scope.RETURN.value, validate=_choices(Scope))
    rules = fields.List(
        fields.Nested(RuleSchema),
        required=True,
        validate=validate.Length(min=1, error="a rule set needs at least one rule: the default"),
    )

    # Checked on the original input so that these errors show up alongside field errors.
    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _order_of_rules(self, data: dict[str, Any], original: Any, **kwargs: Any) -> None:
        rules = original.get("rules")
        if not isinstance(rules, list) or not rules:
            return
        errors: dict[int, dict[str, list[str]]] = {}
        first_index: dict[str, int] = {}
        for index, rule in enumerate(rules):
            if not isinstance(rule, dict):
                continue
            name = rule.get("name")
            if isinstance(name, str):
                if name in first_index:
                    message = f"duplicate rule name {name!r}, also rules[{first_index[name]}]"
                    errors[index] = {"name": [message]}
                first_index.setdefault(name, index)
        last = len(rules) - 1
        for index, rule in enumerate(rules[:-1]):
            if isinstance(rule, dict) and always_matches(rule.get("condition")):
                after = f"rules[{last}]" if index + 1 == last else f"rules[{index + 1}..{last}]"
                message = (
                    f"this rule matches everything, so {after} can never be reached; "
                    "only the last rule may match everything"
                )
                errors.setdefault(index, {})["condition"] = [message]
                break
        final = rules[-1]
        if isinstance(final, dict) and not always_matches(final.get("condition")):
            errors.setdefault(last, {})["condition"] = [
                "the last rule is the default and must have no condition"
            ]
        if errors:
            raise ValidationError({"rules": errors})

    @post_load
    def _ordered(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {name: data[name] for name in self.fields if name in data}


def rule_set_errors(doc: Any) -> list[dict[str, str]]:
    """Return every problem in `doc` as `{"path", "message", "code"}`; none if it is valid."""
    return _load(doc)[1]


def validate_rule_set(doc: Any) -> dict[str, Any]:
    """Return the normalised rule set, or raise RuleSetInvalid listing every problem."""
    normalised, errors = _load(doc)
    if errors:
        raise RuleSetInvalid(errors)
    return normalised


def _load(doc: Any) -> tuple[dict[str, Any], list[dict[str, str]]]:
    if not isinstance(doc, Mapping):
        return {}, [
            with_code({"path": "", "message": "a rule set is a mapping with name and rules"})
        ]
    scope = doc.get("scope", Scope.RETURN.value)
    # An unknown scope is reported by the schema; check facts as for returns meanwhile.
    token = _scope.set(Scope(scope) if scope in tuple(Scope) else Scope.RETURN)
    try:
        return RuleSetSchema().load(dict(doc)), []
    except ValidationError as error:
        return {}, _flatten(error.messages)
    finally:
        _scope.reset(token)


def _flatten(messages: Any, path: str = "") -> list[dict[str, str]]:
    """Turn marshmallow's nested error messages into a flat list of path and message."""
    if isinstance(messages, dict):
        flat = []
        for key, inner in messages.items():
            if isinstance(key, int):
                inner_path = f"{path}[{key}]"
            elif key == "_schema":
                inner_path = path
            else:
                inner_path = f"{path}.{key}" if path else key
            flat.extend(_flatten(inner, inner_path))
        return flat
    if isinstance(messages, list):
        return [error for message in messages for error in _flatten(message, path)]
    return [with_code({"path": path, "message": str(messages)})]
