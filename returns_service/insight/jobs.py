"""The daily look for return-rate jumps, run from the workers' periodic round."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from redis import Redis
from sqlalchemy.orm import Session

from returns_service.extensions import jobs
from returns_service.insight.jumps import announce_jumps
from returns_service.shop import ShopSettings

#: Kept a little over a day: the marker only has to outlive the day it names.
_MARKER_SECONDS = 26 * 3600


def insight_round(session: Session, now: datetime, config: Mapping[str, Any], redis: Redis) -> None:
    """Look for jumps once per shop day; every worker calls this, one of them does the work."""
    timezone = ZoneInfo(config["TIMEZONE"])
    marker = f"{config['REDIS_KEY_PREFIX']}jumps-checked:{now.astimezone(timezone).date()}"
    if redis.exists(marker):
        return
    announce_jumps(session, now, timezone)
    session.commit()
    # Set after the commit: a round that failed is tried again by the next one.
    redis.set(marker, "1", ex=_MARKER_SECONDS)


def look_for_jumps(session: Session, now: datetime, settings: ShopSettings) -> None:
    """Periodically: :func:`insight_round` with the app's Redis for its daily marker."""
    insight_round(session, now, settings.config, jobs.redis)
