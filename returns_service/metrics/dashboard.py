"""Every number of the staff numbers page for one period, gathered in one place."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from returns_service.metrics.queries import return_metrics
from returns_service.metrics.trends import money_returned, requests_per_day
from returns_service.subscriptions.operations import save_rate_report


def dashboard(
    session: Session, since: datetime, until: datetime, now: datetime, timezone: str
) -> dict[str, Any]:
    """The returns dashboard, requests per day in the shop's ``timezone``, money returned,
    and subscription cancellations saved by offers, for the period [since, until)."""
    return {
        **return_metrics(session, since, until, now),
        "per_day": requests_per_day(session, since, until, timezone),
        "money": money_returned(session, since, until),
        "saves": save_rate_report(session, since, until),
    }
