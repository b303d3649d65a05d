"""Liveness and readiness probes."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from returns_service.errors import RETRY_AFTER_SECONDS
from returns_service.extensions import db, jobs

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """The process answers."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> ResponseReturnValue:
    """The database and Redis answer; 503 naming which part does not, and nothing more.

    The probe is public: hosts, ports and driver messages go to the log, not the answer.
    """
    failing = []
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to reach it means not ready
        log.warning("readiness: the database is not reachable: %s", exc)
        failing.append("database")
    try:
        jobs.redis.ping()
    except Exception as exc:
        log.warning("readiness: Redis is not reachable: %s", exc)
        failing.append("redis")
    if failing:
        body = jsonify(
            status="unavailable", message=f"not reachable: {', '.join(failing)}", failing=failing
        )
        return body, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return jsonify(status="ready")
