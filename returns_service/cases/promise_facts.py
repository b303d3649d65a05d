"""What the numbers page needs of each case that arrived in a period to tell the promises
kept: its kind, whose move it is, when it arrived, was first answered and was decided.

One statement per kind of case, a row per case, each first answer found by the timeline's
index. Reading whole cases (lines, orders, parcels, files) for a month of a big shop took
seconds, and their first answers as a list of every case's key overran PostgreSQL's stack.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, literal, select
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
from returns_service.portable_sql import without_jit
from returns_service.returns.models import ReturnRequest
from returns_service.subscriptions.models import FlowStatus, SubscriptionCancellation


@dataclass(frozen=True, slots=True)
class PromiseFacts:
    """One case's moments, as the promises made to it are judged by."""

    kind: CaseKind
    waiting_on: Waiting
    arrived_at: datetime
    first_responded_at: datetime | None
    resolved_at: datetime | None


def _in_period(created_at: Any, query: Select[Any], since: datetime, until: datetime) -> Any:
    return query.where(created_at >= since, created_at < until)


_RETURNS = select(
    ReturnRequest.resolution,
    ReturnRequest.status,
    ReturnRequest.created_at,
    first_answer("return", ReturnRequest.id, ReturnRequest.decided_at),
    ReturnRequest.decided_at,
)
_CANCELLATIONS = select(
    literal(CaseKind.ORDER_CANCELLATION.value),
    Cancellation.status,
    Cancellation.created_at,
    first_answer("cancellation", Cancellation.id, Cancellation.settled_at),
    Cancellation.settled_at,
)
#: A subscription's offers are its first answer, shown the moment it arrives.
_SUBSCRIPTIONS = select(
    literal(CaseKind.SUBSCRIPTION_CANCELLATION.value),
    SubscriptionCancellation.status,
    SubscriptionCancellation.created_at,
    SubscriptionCancellation.created_at,
    SubscriptionCancellation.closed_at,
).where(SubscriptionCancellation.status != FlowStatus.SUPERSEDED)


#: Per kind of case: its statement, its created-at column, how a row's first two values
#: give its kind and whose move it is (the rest of ``read_model``'s reading of a case).
_READS: tuple[tuple[Select[Any], Any, Callable[[Any, Any], tuple[CaseKind, Waiting]]], ...] = (
    (
        _RETURNS,
        ReturnRequest.created_at,
        lambda resolution, status: (return_kind(resolution), return_waiting_on(status)),
    ),
    (
        _CANCELLATIONS,
        Cancellation.created_at,
        lambda kind, status: (CaseKind(kind), cancellation_waiting_on(status)),
    ),
    (
        _SUBSCRIPTIONS,
        SubscriptionCancellation.created_at,
        lambda kind, status: (CaseKind(kind), subscription_waiting_on(status)),
    ),
)


def promise_facts(session: Session, since: datetime, until: datetime) -> list[PromiseFacts]:
    """Every case that arrived from ``since`` until before ``until``."""
    without_jit(session)  # a month of a big shop: PostgreSQL would compile, for longer
    facts = []
    for query, created_at, kind_and_waiting in _READS:
        for first, second, arrived, answered, resolved in session.execute(
            _in_period(created_at, query, since, until)
        ):
            kind, waiting_on = kind_and_waiting(first, second)
            facts.append(PromiseFacts(kind, waiting_on, arrived, answered, resolved))
    return facts
