"""Values worked out once and kept per process under a key of everything they depend on.

Pages and the desk's calendar ask for the same few hundred things request after request
(a listed case, a field's markup, a due time). A store holds at most ``limit`` values and
forgets them all when full: simpler and cheaper per call than an LRU's bookkeeping, and a
key that holds everything shown is never stale, only gone.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

_V = TypeVar("_V")


class KeptValues(Generic[_V]):
    """At most ``limit`` values under their keys, all forgotten once it is reached."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._values: dict[Hashable, _V] = {}

    def get(self, key: Hashable, make: Callable[[], _V]) -> _V:
        """The value kept under ``key``, made by ``make`` and kept the first time."""
        try:
            return self._values[key]
        except KeyError:
            if len(self._values) >= self.limit:
                self._values.clear()
            value = self._values[key] = make()
            return value

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"KeptValues({self.limit}, {self._values!r})"
