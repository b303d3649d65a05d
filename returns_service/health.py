"""Liveness and readiness probes."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from returns_service.extensions import db, jobs

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """The process answers."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> ResponseReturnValue:
    """The database and Redis answer; 503 naming what does not."""
    problems = {}
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to reach it means not ready
        problems["database"] = str(exc).splitlines()[0]
    try:
        jobs.redis.ping()
    except Exception as exc:
        problems["redis"] = str(exc).splitlines()[0]
    if problems:
        unreachable = ", ".join(problems)
        return jsonify(
            status="unavailable", message=f"not reachable: {unreachable}", problems=problems
        ), 503
    return jsonify(status="ready")
