"""Background jobs that failed for good: list them, put one back in line."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from returns_service import outbox
from returns_service.api.docs import SECURITY
from returns_service.auth.access import require_roles
from returns_service.auth.models import Role
from returns_service.compiled_schemas import Schema
from returns_service.errors import Conflict, NotFound
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.outbox import MessageStatus, OutboxMessage

blp = Blueprint("jobs", __name__, url_prefix="/api/v1/jobs", description="Background jobs")


class JobOut(Schema):
    """A background job as staff see it."""

    id = fields.String()
    job = fields.String()
    payload = fields.Dict()
    status = fields.Enum(MessageStatus, by_value=True)
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    finished_at = fields.AwareDateTime(allow_none=True)


@blp.route("/failed")
class FailedJobs(MethodView):
    """Jobs that used up their retries."""

    @require_roles(Role.AGENT)
    @blp.doc(security=SECURITY)
    @blp.response(200, JobOut(many=True))
    @blp.alt_response(401, description="No valid token")
    @blp.alt_response(403, description="Needs the agent or admin role")
    def get(self) -> list[OutboxMessage]:
        """List failed jobs, newest first."""
        return outbox.failed_jobs(db.session, 500)


@blp.route("/<job_id>/retry")
class RetryJob(MethodView):
    """Put a failed job back in line."""

    @require_roles(Role.AGENT)
    @blp.doc(security=SECURITY)
    @blp.response(202, JobOut)
    @blp.alt_response(401, description="No valid token")
    @blp.alt_response(403, description="Needs the agent or admin role")
    @blp.alt_response(404, description="No such job")
    @blp.alt_response(409, description="The job has not failed")
    def post(self, job_id: str) -> Any:
        """Retry a failed job from its first attempt."""
        try:
            message = outbox.retry_failed(db.session, job_id, utcnow())
        except LookupError as exc:
            raise NotFound(str(exc)) from None
        except ValueError as exc:
            raise Conflict(str(exc)) from None
        db.session.commit()
        return message
