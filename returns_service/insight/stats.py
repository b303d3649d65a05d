"""One-sided tail probabilities for the jump alerts, computed exactly (no SciPy needed)."""

from __future__ import annotations

import math


def poisson_tail(observed: int, expected: float) -> float:
    """P(X >= observed) for X ~ Poisson(expected)."""
    if observed <= 0:
        return 1.0
    if expected <= 0:
        return 0.0
    # 1 - P(X <= observed - 1), summed term by term to stay exact for small counts.
    term = math.exp(-expected)
    below = term
    for k in range(1, observed):
        term *= expected / k
        below += term
    return max(0.0, 1.0 - below)


def binomial_tail(observed: int, trials: int, rate: float) -> float:
    """P(X >= observed) for X ~ Binomial(trials, rate)."""
    if observed <= 0:
        return 1.0
    if observed > trials or rate <= 0:
        return 0.0
    if rate >= 1:
        return 1.0
    return sum(
        math.comb(trials, k) * rate**k * (1 - rate) ** (trials - k)
        for k in range(observed, trials + 1)
    )
