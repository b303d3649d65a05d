"""The facts a rule set document can read: those its conditions test and its messages show."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rules.messages import placeholders


def facts_mentioned(doc: Mapping[str, Any]) -> frozenset[str]:
    """Every fact named in ``doc``: a condition's ``fact`` or a ``{placeholder}`` in a text.

    A superset of what deciding can read (any text is searched for placeholders), so that a
    caller loading only these facts decides exactly as with all of them.
    """
    found: set[str] = set()
    pending: list[Any] = [doc]
    while pending:
        node = pending.pop()
        if isinstance(node, Mapping):
            fact = node.get("fact")
            if isinstance(fact, str):
                found.add(fact)
            pending.extend(node.values())
        elif isinstance(node, list | tuple):
            pending.extend(node)
        elif isinstance(node, str) and "{" in node:
            found.update(placeholders(node))
    return frozenset(found)
