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
    facts = ReturnLine.decision["facts"]
    # Only the parts of the decision the simulation reads: decoding whole decisions (their
    # actions and messages too) was most of the time on a million lines.
    query = (
        select(
            ReturnRequest.rma,
            ReturnLine.id,
            facts,
            ReturnLine.decision["outcome"].as_string(),
            ReturnLine.decision["rule"].as_string(),
        )
        .join(ReturnLine.request)
        .where(facts.is_not(None))
        .order_by(ReturnLine.id)
        # Streamed from a server-side cursor: a million lines are never all in memory.
        .execution_options(yield_per=5000)
    )
    if since is not None:
        query = query.where(ReturnRequest.created_at >= since)
    if until is not None:
        query = query.where(ReturnRequest.created_at < until)
    if last is not None:
        newest = select(ReturnRequest.id).order_by(ReturnRequest.id.desc()).limit(last)
        if since is not None:
            newest = newest.where(ReturnRequest.created_at >= since)
        if until is not None:
            newest = newest.where(ReturnRequest.created_at < until)
        query = query.where(ReturnRequest.id.in_(newest.scalar_subquery()))
    for rma, line_id, line_facts, outcome, rule in session.execute(query):
        if not isinstance(line_facts, dict) or outcome is None:
            continue
        yield rules.PastLineDecision(
            request_id=rma,
            line_id=line_id,
            facts=line_facts,
            outcome=rules.Outcome(outcome),
            rule=rule,
        )
