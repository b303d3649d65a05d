"""The explained decision for one line: what was decided, by which rule, on which facts."""

from dataclasses import dataclass
from typing import Any

from rules.actions import Action, Outcome


@dataclass(frozen=True, slots=True)
class Decision:
    """The first matching rule's verdict, with the facts the evaluation looked at.

    `facts_read` holds exactly the facts the conditions read, in the order they were
    first read, with the values seen; facts only used to fill the message are not in it.
    """

    outcome: Outcome
    rule: str
    rule_index: int
    action: Action
    #: The rendered customer message `{"ja": ..., "en": ...}`, or None.
    message: dict[str, str] | None
    facts_read: dict[str, object]

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable form, to store with the decision."""
        return {
            "outcome": self.outcome.value,
            "rule": self.rule,
            "rule_index": self.rule_index,
            "action": self.action.as_dict(),
            "message": None if self.message is None else dict(self.message),
            "facts_read": {name: _jsonable(value) for name, value in self.facts_read.items()},
        }


def _jsonable(value: object) -> object:
    # A caller may hand in tags as a tuple or a set; JSON knows only lists.
    if isinstance(value, set | frozenset):
        return sorted(value)
    if isinstance(value, tuple):
        return list(value)
    return value
