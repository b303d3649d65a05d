"""A store of kept values makes each once, and forgets them all when full."""

from __future__ import annotations

from returns_service.kept_values import KeptValues


def test_a_value_is_made_once_and_all_are_forgotten_when_the_store_is_full() -> None:
    made: list[str] = []
    kept: KeptValues[str] = KeptValues(limit=2)

    def make(key: str) -> str:
        made.append(key)
        return key.upper()

    assert kept.get("a", lambda: make("a")) == "A"
    assert kept.get("a", lambda: make("a")) == "A"
    assert kept.get("b", lambda: make("b")) == "B"
    assert made == ["a", "b"] and len(kept) == 2
    assert kept.get("c", lambda: make("c")) == "C"  # full: everything forgotten first
    assert len(kept) == 1 and "'a'" not in repr(kept) and "'c'" in repr(kept)
    assert kept.get("a", lambda: make("a")) == "A"
    assert made == ["a", "b", "c", "a"]
