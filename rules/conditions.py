"""Condition trees: typing a leaf's value, and what can be known about a tree before it runs."""

import math
import re
from datetime import date
from typing import Any

from rules.facts import Fact, FactType
from rules.operators import Op, Operand, operand

#: Deeper trees are refused: nobody can read them, and evaluating them recurses.
MAX_DEPTH = 10

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

#: An error found in a leaf's value: a message, or messages by list index.
ValueErrors = list[str] | dict[int, list[str]]


def value_errors(fact: Fact, op: Op, value: Any, present: bool) -> ValueErrors | None:
    """Return what is wrong with `value` as the operand of `fact op value`, or None."""
    shape = operand(op)
    if shape is Operand.NONE:
        return [f"'{op}' takes no value"] if present else None
    if not present:
        return [f"'{op}' needs a value"]
    if value is None:
        return ["the value must not be null; to test for a missing fact use 'is_null'"]
    if shape is Operand.SCALAR:
        error = _scalar_error(fact, value)
        return None if error is None else [error]
    if not isinstance(value, list):
        wanted = "[low, high]" if shape is Operand.RANGE else "a list"
        return [f"'{op}' takes {wanted}, got {_describe(value)}"]
    if shape is Operand.LIST and not value:
        return [f"'{op}' takes a non-empty list"]
    if shape is Operand.RANGE and len(value) != 2:
        return [f"'between' takes [low, high], got a list of {len(value)}"]
    errors = {i: [error] for i, item in enumerate(value) if (error := _scalar_error(fact, item))}
    if errors:
        return errors
    if shape is Operand.RANGE and value[0] > value[1]:
        return [f"low {value[0]!r} is above high {value[1]!r}"]
    return None


def _scalar_error(fact: Fact, value: Any) -> str | None:
    """Return what is wrong with one value compared with `fact`, or None."""
    kind = fact.type
    # bool is a subclass of int, and 0/1 are not booleans: compare exact types.
    if kind is FactType.INTEGER and type(value) is not int:
        return f"{fact.name} is an integer; got {_describe(value)}"
    if kind is FactType.NUMBER and (type(value) not in (int, float) or not math.isfinite(value)):
        return f"{fact.name} is a number; got {_describe(value)}"
    if kind is FactType.BOOLEAN and type(value) is not bool:
        return f"{fact.name} is true or false; got {_describe(value)}"
    if kind in (FactType.STRING, FactType.STRING_LIST, FactType.ENUM, FactType.DATE):
        if not isinstance(value, str):
            return f"{fact.name} compares with text; got {_describe(value)}"
    if kind is FactType.ENUM and value not in fact.allowed:
        return f"{value!r} is not a {fact.name}; use one of: {', '.join(fact.allowed)}"
    if kind is FactType.DATE and not _is_iso_date(value):
        return f"{value!r} is not a date written YYYY-MM-DD"
    if fact.minimum is not None and value < fact.minimum:
        return f"{value!r} is below the smallest possible {fact.name}, {fact.minimum:g}"
    if fact.maximum is not None and value > fact.maximum:
        return f"{value!r} is above the largest possible {fact.name}, {fact.maximum:g}"
    return None


def _is_iso_date(text: str) -> bool:
    if not _ISO_DATE.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"{value!r} ({type(value).__name__})"


def always_matches(condition: Any) -> bool:
    """Tell whether a rule's condition matches every request, whatever the facts.

    Works on unvalidated documents too: anything malformed is "not known to match".
    """
    if condition is None:
        return True
    return _always(condition)


def _always(node: Any) -> bool:
    if not isinstance(node, dict) or len(node) != 1:
        return False
    ((key, inner),) = node.items()
    if key == "not":
        return _never(inner)
    if not isinstance(inner, list):
        return False
    if key == "all":
        return all(_always(child) for child in inner)
    return key == "any" and any(_always(child) for child in inner)


def _never(node: Any) -> bool:
    if not isinstance(node, dict) or len(node) != 1:
        return False
    ((key, inner),) = node.items()
    if key == "not":
        return _always(inner)
    if not isinstance(inner, list):
        return False
    if key == "all":
        return any(_never(child) for child in inner)
    return key == "any" and all(_never(child) for child in inner)
