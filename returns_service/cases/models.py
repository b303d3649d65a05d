"""What a case holds of its own: assignee, escalation, survey, and staff notes; the
priority mapping the kept ranks were worked out with; and the indexes the work list reads
the kinds of cases by."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from returns_service.cancellations.models import Cancellation
from returns_service.cases.case_states import (
    CANCELLATION_OPEN,
    CANCELLATION_UNDECIDED,
    RETURN_OPEN,
    RETURN_UNDECIDED,
    SUBSCRIPTION_OPEN,
)
from returns_service.models import Base, intpk, utcnow
from returns_service.orders.models import Customer
from returns_service.returns.models import Exchange, ReturnRequest
from returns_service.subscriptions.models import SubscriptionCancellation


class CaseFile(Base):
    """The desk's own record of one case; created the first time the desk touches it."""

    __tablename__ = "case_files"

    id: Mapped[intpk]
    #: The timeline's subject: ``return``, ``cancellation`` or ``subscription``.
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int]
    #: The staff e-mail address working the case, if anyone took it.
    assignee: Mapped[str | None] = mapped_column(String(320), index=True)
    assigned_at: Mapped[datetime | None]
    #: When the escalation job flagged a missed first response, and a missed resolution.
    response_escalated_at: Mapped[datetime | None]
    resolution_escalated_at: Mapped[datetime | None]
    #: The satisfaction survey sent when the case closed: scale, when, and the one answer.
    survey_scale: Mapped[str | None] = mapped_column(String(8))
    survey_sent_at: Mapped[datetime | None]
    survey_score: Mapped[int | None]
    survey_answered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("subject_type", "subject_id"),)


class CaseNote(Base):
    """A note staff left on a case; never shown to the customer."""

    __tablename__ = "case_notes"

    id: Mapped[intpk]
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int]
    author: Mapped[str] = mapped_column(String(128))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]

    __table_args__ = (Index("ix_case_notes_subject", "subject_type", "subject_id", "id"),)


class RankBasis(Base):
    """The shop's priority mapping the open cases' kept ranks were worked out with (one
    row): a process with another mapping works them out again (``cases.rank_basis``)."""

    __tablename__ = "case_rank_basis"

    id: Mapped[intpk]
    #: The mapping as canonical JSON; empty before the ranks were first worked out.
    mapping: Mapped[str] = mapped_column(Text, default="")
    refreshed_at: Mapped[datetime | None]


def _on_cases_in(name: str, model: type[Base], states: tuple[Any, ...], *columns: Any) -> Index:
    """An index of ``columns`` over the cases of ``model`` in ``states`` only (partial: the
    desk works on few of a shop's cases)."""
    predicate = model.status.in_(states)
    return Index(name, *columns, postgresql_where=predicate, sqlite_where=predicate)


def _open_by_rank(name: str, model: type[Base], open_states: tuple[Any, ...]) -> Index:
    """An open case's page position before aging: most pressing, then oldest."""
    return _on_cases_in(name, model, open_states, model.signal_rank, model.created_at, model.id)


def _undecided_by_arrival(name: str, model: type[Base], undecided: tuple[Any, ...]) -> Index:
    """The cases still undecided, oldest first: the work list's normal cases the shop has
    held past the aging cutoff are found among them (a shop's history is decided)."""
    return _on_cases_in(name, model, undecided, model.created_at, model.id)


#: What the staff work list filters and sorts on, declared beside the cases that need them:
#: each kind's states by arrival (which also serves a read by state alone: a state column
#: has no index of its own, one more to write at every change of state), a replacement's
#: tracking number for the scan box, the customer's name for the search, the open cases by
#: rank and the undecided by arrival.
WORK_LIST_INDEXES = (
    Index("ix_return_requests_status_created_at", ReturnRequest.status, ReturnRequest.created_at),
    Index("ix_cancellations_status_created_at", Cancellation.status, Cancellation.created_at),
    Index(
        "ix_subscription_cancellations_status_created_at",
        SubscriptionCancellation.status,
        SubscriptionCancellation.created_at,
    ),
    Index("ix_exchanges_tracking_number", Exchange.tracking_number),
    # A name is searched by its start (``LIKE '佐藤%'``): PostgreSQL needs the pattern ops.
    Index("ix_customers_name", Customer.name, postgresql_ops={"name": "text_pattern_ops"}),
    _open_by_rank("ix_return_requests_open_rank", ReturnRequest, RETURN_OPEN),
    _open_by_rank("ix_cancellations_open_rank", Cancellation, CANCELLATION_OPEN),
    _open_by_rank(
        "ix_subscription_cancellations_open_rank",
        SubscriptionCancellation,
        SUBSCRIPTION_OPEN,
    ),
    _undecided_by_arrival("ix_return_requests_undecided", ReturnRequest, RETURN_UNDECIDED),
    _undecided_by_arrival("ix_cancellations_undecided", Cancellation, CANCELLATION_UNDECIDED),
)
