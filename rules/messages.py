"""Customer messages with `{fact}` placeholders, filled from the facts at decision time."""

import re
from collections.abc import Mapping

from rules.actions import Message

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
#: Shown where a placeholder's fact is missing or null, so the sentence still reads.
MISSING = "—"


def placeholders(template: str) -> list[str]:
    """Return the names inside `{...}` in `template`, in order."""
    return _PLACEHOLDER.findall(template)


def pieces(template: str) -> list[str]:
    """Split `template` into text and placeholder names, alternating, text first and last."""
    return _PLACEHOLDER.split(template)


def render(message: Message, facts: Mapping[str, object]) -> dict[str, str]:
    """Fill the placeholders of both languages from `facts`."""

    def fill(match: re.Match[str]) -> str:
        return show(facts.get(match[1]))

    return {"ja": _PLACEHOLDER.sub(fill, message.ja), "en": _PLACEHOLDER.sub(fill, message.en)}


def show(value: object) -> str:
    """Write a fact's value as it appears in a message."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)
