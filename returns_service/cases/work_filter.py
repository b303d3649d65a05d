"""What the work list is narrowed to, and the shape of statement a filter needs.

A filter's values are sent as parameters; its shape (which narrowings are present, and the
shop's priority mapping) is what a statement is built from, so one statement serves every
page of the same shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from returns_service.cases.read_model import CaseKind


@dataclass(frozen=True)
class WorkFilter:
    """What the list is narrowed to; empty fields narrow nothing."""

    kinds: frozenset[CaseKind] = frozenset()
    status: str = ""
    reason: str = ""
    #: Arrived at or after ``since`` and before ``until``.
    since: datetime | None = None
    until: datetime | None = None
    #: ``""`` anyone, ``"none"`` nobody, else a staff e-mail address.
    assignee: str = ""
    #: An RMA, order number, tracking number, customer name, e-mail or phone.
    query: str = ""


@dataclass(frozen=True)
class WorkShape:
    """What the page's statement is built from; the filter's values are its parameters, so
    one statement serves every page of the same shape."""

    kinds: frozenset[CaseKind]
    #: A state to list (one of some kind's), or "" for open cases.
    status: str
    reason: bool
    since: bool
    until: bool
    #: "", "none" (nobody's) or "someone" (the ``assignee`` parameter's).
    assignee: str
    searching: bool


def shape_of(flt: WorkFilter) -> WorkShape:
    """The shape of statement that lists ``flt``."""
    return WorkShape(
        kinds=flt.kinds,
        status=flt.status,
        reason=bool(flt.reason),
        since=flt.since is not None,
        until=flt.until is not None,
        assignee="someone" if flt.assignee not in ("", "none") else flt.assignee,
        searching=bool(flt.query),
    )
