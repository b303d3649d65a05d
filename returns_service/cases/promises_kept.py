"""How many promises the desk kept and missed for the cases that arrived in a period, per
kind of case: counted by the database against the due times each case keeps on its row.

One statement per kind of case, each first answer found by the timeline's index, a row per
kind, status and verdicts. Working the due times out through the shop's calendar in Python,
a case at a time, took a second for a month of a big shop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, false, func, literal, select, true
from sqlalchemy.orm import Session

from returns_service.cancellations.models import Cancellation
from returns_service.cases.answers import first_answer
from returns_service.cases.read_model import (
    CaseKind,
    Waiting,
    cancellation_waiting_on,
    return_kind,
    return_waiting_on,
    subscription_waiting_on,
)
from returns_service.returns.models import ReturnRequest
from returns_service.subscriptions.models import FlowStatus, SubscriptionCancellation

#: The promises a case is judged by.
PROMISES = ("first_response", "resolution")
_MET, _MISSED, _OWED = "met", "missed", "owed"


@dataclass
class Kept:
    """The cases of one kind, and per promise how many were met and missed."""

    cases: int = 0
    met: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PROMISES, 0))
    missed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PROMISES, 0))


def _verdict(done: Any, due: Any, now: datetime) -> ColumnElement[str]:
    """Met if done by its due time, missed if done later, owed if not done and past it (a
    miss when it is the desk's move), else NULL. The comparison is the CASE's operand, so
    ``done`` (a first answer reads the timeline) is not read again for each branch."""
    return case(
        (true(), _MET),
        (false(), _MISSED),
        value=done <= due,
        else_=case((due < now, _OWED)),
    )


#: Per kind of case: its table, the column telling its kind, its first answer and its
#: decision, more conditions, and how a row's kind column and status give its kind and
#: whose move it is (the rest of ``read_model``'s reading of a case).
_READS: tuple[tuple[Any, Any, Any, Any, tuple[Any, ...], Callable[..., Any]], ...] = (
    (
        ReturnRequest,
        ReturnRequest.resolution,
        first_answer("return", ReturnRequest.id, ReturnRequest.decided_at),
        ReturnRequest.decided_at,
        (),
        lambda resolution, status: (return_kind(resolution), return_waiting_on(status)),
    ),
    (
        Cancellation,
        literal(CaseKind.ORDER_CANCELLATION.value),
        first_answer("cancellation", Cancellation.id, Cancellation.settled_at),
        Cancellation.settled_at,
        (),
        lambda kind, status: (CaseKind(kind), cancellation_waiting_on(status)),
    ),
    # A subscription's offers are its first answer, shown the moment it arrives.
    (
        SubscriptionCancellation,
        literal(CaseKind.SUBSCRIPTION_CANCELLATION.value),
        SubscriptionCancellation.created_at,
        SubscriptionCancellation.closed_at,
        (SubscriptionCancellation.status != FlowStatus.SUPERSEDED,),
        lambda kind, status: (CaseKind(kind), subscription_waiting_on(status)),
    ),
)


def promises_kept(
    session: Session, since: datetime, until: datetime, now: datetime
) -> dict[CaseKind, Kept]:
    """The kinds of case that arrived from ``since`` until before ``until``, with their
    promises met and missed by ``now``."""
    kept: dict[CaseKind, Kept] = {}
    for model, kind_column, answered, resolved, where, kind_and_waiting in _READS:
        rows = (
            select(
                kind_column.label("kind"),
                model.status.label("status"),
                _verdict(answered, model.first_response_due_at, now).label("first_response"),
                _verdict(resolved, model.resolution_due_at, now).label("resolution"),
            )
            .where(model.created_at >= since, model.created_at < until, *where)
            .subquery()
        )
        columns = (rows.c.kind, rows.c.status, rows.c.first_response, rows.c.resolution)
        for first, status, *verdicts, count in session.execute(
            select(*columns, func.count()).group_by(*columns)
        ):
            kind, waiting_on = kind_and_waiting(first, status)
            tally = kept.setdefault(kind, Kept())
            tally.cases += count
            for promise, verdict in zip(PROMISES, verdicts, strict=True):
                if verdict == _MET:
                    tally.met[promise] += count
                # Only the desk can miss a promise: a decided case waits on the customer.
                elif verdict == _MISSED or (verdict == _OWED and waiting_on is Waiting.SHOP):
                    tally.missed[promise] += count
    return kept
