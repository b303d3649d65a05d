"""The desk's periodic round, run by every worker between jobs (see ``worker``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from returns_service.cases.escalation import escalate_overdue
from returns_service.cases.policy import CasePolicy
from returns_service.cases.survey import send_surveys
from returns_service.shop import ShopSettings


def desk_round(session: Session, now: datetime, settings: ShopSettings) -> None:
    """Escalate overdue cases and send the survey for cases that closed; commit."""
    config = settings.config
    escalate_overdue(session, now, CasePolicy.from_config(config))
    session.commit()
    send_surveys(
        session,
        now,
        secret=config["SECRET_KEY"],
        public_url=settings.public_url,
        scale=config["SURVEY_SCALE"],
        delay=timedelta(minutes=config["SURVEY_DELAY_MINUTES"]),
    )
    session.commit()
