"""Load past return lines with the facts they were decided on, for a draft to be tried on."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

import rules
from returns_service.returns.models import ReturnLine, ReturnRequest


def past_line_decisions(
    session: Session,
    *,
    last: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Iterator[rules.PastLineDecision]:
    """Lines of the last ``last`` requests, or of requests filed in [since, until)."""
    requests = select(ReturnRequest.id).order_by(ReturnRequest.id.desc())
    if since is not None:
        requests = requests.where(ReturnRequest.created_at >= since)
    if until is not None:
        requests = requests.where(ReturnRequest.created_at < until)
    if last is not None:
        requests = requests.limit(last)
    query = (
        select(ReturnRequest.rma, ReturnLine.id, ReturnLine.decision)
        .join(ReturnLine.request)
        .where(ReturnRequest.id.in_(requests.scalar_subquery()))
        .order_by(ReturnLine.id)
        .execution_options(yield_per=2000)
    )
    for rma, line_id, decision in session.execute(query):
        if not decision or "facts" not in decision:
            continue
        yield rules.PastLineDecision(
            request_id=rma,
            line_id=line_id,
            facts=decision["facts"],
            outcome=rules.Outcome(decision["outcome"]),
            rule=decision["rule"],
        )
