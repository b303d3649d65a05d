"""A cancellation as the customer and staff see it: outcome, refund, the way on, timeline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.cancellations.models import Cancellation, CancellationStatus
from returns_service.events import Event, recorded_timeline, timeline
from returns_service.refunds.models import Refund
from returns_service.refunds.operations import refunds_named


@dataclass
class CancellationView:
    """Everything the API shows of a cancellation, in one object for the schema to dump."""

    cancellation: Cancellation
    refunds: list[Refund]
    timeline: list[Event]
    return_url: str | None

    @property
    def refund(self) -> Refund | None:
        """The refund of the cancelled lines (a cancellation makes at most one)."""
        return self.refunds[0] if self.refunds else None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.cancellation, name)


def present(
    session: Session,
    cancellation: Cancellation,
    return_url: str,
    *,
    with_timeline: bool = True,
    filed_now: bool = False,
) -> CancellationView:
    """Gather what the API shows of a cancellation (lists leave the timeline out).

    ``filed_now``: the cancellation was filed in this transaction, so its timeline is the
    events recorded in it, and its refunds those their ``refund.created`` events name.
    """
    if filed_now:
        events = recorded_timeline(session, "cancellation", cancellation.id)
        refunds = refunds_named(session, events)
    else:
        events = timeline(session, "cancellation", cancellation.id) if with_timeline else []
        refunds = list(
            session.scalars(
                select(Refund).where(Refund.cancellation_id == cancellation.id).order_by(Refund.id)
            )
        )
    return CancellationView(
        cancellation=cancellation,
        refunds=refunds,
        timeline=events if with_timeline else [],
        return_url=return_url if cancellation.status is CancellationStatus.REFUSED else None,
    )
