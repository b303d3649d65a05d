"""The dashboard's numbers over the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import ValidationError as SchemaError
from marshmallow import fields, validates_schema

from returns_service.api.docs import SECURITY
from returns_service.auth.access import require_roles
from returns_service.auth.models import Role
from returns_service.compiled_schemas import Schema
from returns_service.extensions import db
from returns_service.metrics.queries import return_metrics
from returns_service.models import utcnow

blp = Blueprint("metrics", __name__, url_prefix="/api/v1/metrics", description="Dashboard numbers")


class PeriodArgs(Schema):
    """The period: from ``since`` (default 30 days ago) to ``until`` (default now)."""

    since = fields.AwareDateTime(load_default=None)
    until = fields.AwareDateTime(load_default=None)

    @validates_schema
    def _ordered(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("since") and data.get("until") and data["since"] >= data["until"]:
            raise SchemaError("must be before until", "since")


class ReturnMetricsOut(Schema):
    """The returns dashboard."""

    since = fields.String()
    until = fields.String()
    return_rate_by_product = fields.List(fields.Dict())
    reasons = fields.Dict()
    line_outcomes = fields.Dict()
    statuses = fields.Dict()
    automation = fields.Dict()
    time_to_refund = fields.Dict()
    review_queue = fields.Dict()


@blp.route("/returns")
class ReturnMetrics(MethodView):
    """Returns over a period."""

    @require_roles(Role.AGENT)
    @blp.doc(security=SECURITY)
    @blp.arguments(PeriodArgs, location="query")
    @blp.response(200, ReturnMetricsOut)
    @blp.alt_response(401, description="No valid token")
    @blp.alt_response(403, description="Needs the agent or admin role")
    @blp.alt_response(422, description="A date is wrong")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Return rate by product, reasons, outcomes, automation share, time to refund, queue."""
        now = utcnow()
        until = args["until"] or now
        since = args["since"] or until - timedelta(days=30)
        return return_metrics(db.session, since, until, now)
