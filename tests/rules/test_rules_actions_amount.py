"""A rule's amount of a line's value: exact percents, fixed sums, never more than the value."""

from __future__ import annotations

import pytest

from rules.actions import Amount


@pytest.mark.parametrize(
    ("amount", "base", "expected"),
    [
        (Amount(percent=10), 12800, 1280),
        (Amount(percent=12.5), 1000, 125),  # exact, not 12 %
        (Amount(percent=33), 100, 33),
        (Amount(percent=10), 5, 0),  # rounded down: half a yen is not charged
        (Amount(percent=150), 1000, 1000),  # never more than the value
        (Amount(fixed=500), 12800, 500),
        (Amount(fixed=500), 300, 300),
    ],
)
def test_an_amount_of_a_value(amount: Amount, base: int, expected: int) -> None:
    assert amount.of(base) == expected
