"""The staff work list: every kind of case in one query, filtered, searched and paged.

The page's statement (``work_statement``, cached per shape of filter from ``work_filter``
and per page, over the kinds' branches of ``work_branches``) picks a page of cases in the
list's order (priority from the shop's mapping kept on each case, then arrival) with the
columns the list shows; a page costs one statement whatever its length or the shop's size.
This module sends the filter's values as its parameters and turns its rows into listed
cases (``work_rows``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from returns_service.cancellations.models import CancellationStatus
from returns_service.cases import rank_basis
from returns_service.cases.policy import CasePolicy
from returns_service.cases.search import Found, search
from returns_service.cases.work_filter import WorkFilter, shape_of
from returns_service.cases.work_rows import WorkRow, work_row
from returns_service.cases.work_statement import page_statement
from returns_service.returns.models import ReturnStatus
from returns_service.subscriptions.models import FlowStatus

PAGE_SIZE = 50
#: Every state of every kind: a chosen state outside these lists nothing.
_STATUSES = frozenset(
    s.value for enum in (ReturnStatus, CancellationStatus, FlowStatus) for s in enum
)


@dataclass
class WorkPage:
    """A page of the list and whether another follows."""

    rows: list[WorkRow] = field(default_factory=list)
    offset: int = 0
    has_more: bool = False


def work_page(
    session: Session,
    flt: WorkFilter,
    policy: CasePolicy,
    now: datetime,
    *,
    offset: int = 0,
    limit: int = PAGE_SIZE,
) -> WorkPage:
    """One page of the work list: most pressing first, then oldest."""
    if flt.status and flt.status not in _STATUSES:
        return WorkPage(offset=offset)
    statement = page_statement(shape_of(flt), offset, limit)
    if statement is None:
        return WorkPage(offset=offset)
    rank_basis.ensure_current(policy, now)
    found = search(session, flt.query) if flt.query else Found([], [], "")
    # One moment for the page's order and its rows' tags, so that they agree.
    cutoff = policy.aging_cutoff(now)
    params = {
        "cutoff": cutoff,
        "status": flt.status,
        "reason": flt.reason,
        "since": flt.since,
        "until": flt.until,
        "assignee": flt.assignee,
        "order_ids": found.order_ids,
        "return_ids": found.return_ids,
        "text": found.text,
    }
    # Read for showing only: past the ORM's handling of a statement, on the session's connection.
    found_rows = session.connection().execute(statement, params).all()
    rows = [work_row(listed, policy, now, cutoff) for listed in found_rows[:limit]]
    return WorkPage(rows=rows, offset=offset, has_more=len(found_rows) > limit)
