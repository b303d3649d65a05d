"""Rows of many cases at once, asked for by their subjects (a return's, a cancellation's ...)
in statements PostgreSQL can take."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlalchemy import ColumnElement, and_, or_

#: Ids sent in one statement at most: PostgreSQL takes 65,535 parameters in one.
IDS_PER_STATEMENT = 10_000


def subjects_in(
    subject_type: Any, subject_id: Any, keys: list[tuple[str, int]]
) -> ColumnElement[bool]:
    """Rows of these subjects: a list of ids per kind of subject, not of (kind, id) pairs
    (PostgreSQL nests a condition per pair, and a month of a big shop overran its stack)."""
    ids: dict[str, list[int]] = defaultdict(list)
    for kind, subject in keys:
        ids[kind].append(subject)
    return or_(*(and_(subject_type == kind, subject_id.in_(group)) for kind, group in ids.items()))


def batches(keys: list[tuple[str, int]]) -> Iterator[list[tuple[str, int]]]:
    """``keys`` in lists small enough for one statement's parameters."""
    for start in range(0, len(keys), IDS_PER_STATEMENT):
        yield keys[start : start + IDS_PER_STATEMENT]
