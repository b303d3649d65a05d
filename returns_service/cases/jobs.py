"""The desk's periodic round, run by every worker between jobs (see ``worker``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from returns_service.cases.escalation import escalate_overdue
from returns_service.cases.policy import CasePolicy
from returns_service.cases.survey import send_surveys


def desk_round(session: Session, now: datetime, config: Mapping[str, Any]) -> None:
    """Escalate overdue cases and send the survey for cases that closed; commit."""
    escalate_overdue(session, now, CasePolicy.from_config(config))
    session.commit()
    send_surveys(
        session,
        now,
        secret=config["SECRET_KEY"],
        public_url=config["PUBLIC_URL"],
        scale=config["SURVEY_SCALE"],
        delay=timedelta(minutes=config["SURVEY_DELAY_MINUTES"]),
    )
    session.commit()
