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
    """The database and Redis answer; 503 naming what does not (details go to the log only:
    the probe is public, and hosts and ports are not its business)."""
    problems = {}
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to reach it means not ready
        log.warning("readiness: the database is unreachable: %s", exc)
        problems["database"] = "unreachable"
    try:
        jobs.redis.ping()
    except Exception as exc:
        log.warning("readiness: Redis is unreachable: %s", exc)
        problems["redis"] = "unreachable"
    if problems:
        unreachable = ", ".join(problems)
        body = jsonify(
            status="unavailable", message=f"not reachable: {unreachable}", problems=problems
        )
        return body, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return jsonify(status="ready")
