"""The desk's periodic round, run by every worker between jobs (see ``worker``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from returns_service.cases.escalation import escalate_overdue
from returns_service.cases.policy import CasePolicy


def desk_round(session: Session, now: datetime, config: Mapping[str, Any]) -> None:
    """Escalate overdue cases; commit."""
    escalate_overdue(session, now, CasePolicy.from_config(config))
    session.commit()
