"""The customer's voice and the desk's numbers over the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from returns_service.api.docs import documented_errors
from returns_service.api.metrics import PeriodArgs
from returns_service.auth.access import require_roles
from returns_service.auth.models import Role
from returns_service.cases.policy import CasePolicy
from returns_service.compiled_schemas import Schema
from returns_service.extensions import db
from returns_service.insight.satisfaction import case_numbers, satisfaction
from returns_service.insight.voice import VoiceFilter, by_product, to_csv, voice_lines
from returns_service.models import utcnow

blp = Blueprint(
    "insight",
    __name__,
    url_prefix="/api/v1",
    description="The customer's voice, satisfaction and promises kept",
)

_ERRORS = ((401, "No valid token"), (403, "Needs the agent or admin role"), (422, "Bad argument"))


class VoiceArgs(PeriodArgs):
    """The period, and optionally one product (SKU) and one reason."""

    sku = fields.String(load_default=None, validate=validate.Length(min=1, max=255))
    reason = fields.String(load_default=None, validate=validate.Length(min=1, max=32))


class VoiceOut(Schema):
    """Returned units, reasons and comments by product."""

    since = fields.AwareDateTime()
    until = fields.AwareDateTime()
    lines = fields.Integer()
    products = fields.List(fields.Dict())


class SatisfactionOut(Schema):
    """Answers per scale; a scale nobody answered on is left out."""

    csat = fields.Dict()
    nps = fields.Dict()


class CaseNumbersOut(Schema):
    """Promises met, overall and per kind of case."""

    cases = fields.Integer()
    promises = fields.Dict()
    by_kind = fields.Dict()


def _period(args: dict[str, Any]) -> tuple[Any, Any]:
    until = args["until"] or utcnow()
    return args["since"] or until - timedelta(days=30), until


def _voice_filter(args: dict[str, Any]) -> VoiceFilter:
    since, until = _period(args)
    return VoiceFilter(since, until, args["sku"], args["reason"])


@blp.route("/insight/voice")
class Voice(MethodView):
    """What customers said, by product."""

    @require_roles(Role.AGENT)
    @blp.arguments(VoiceArgs, location="query")
    @blp.response(200, VoiceOut)
    @documented_errors(blp, _ERRORS)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Returned units by product and reason, with the customers' comments."""
        wanted = _voice_filter(args)
        lines = voice_lines(db.session, wanted)
        return {
            "since": wanted.since,
            "until": wanted.until,
            "lines": len(lines),
            "products": by_product(lines),
        }


@blp.route("/insight/voice.csv")
class VoiceCsv(MethodView):
    """The same, one row per returned line, for a spreadsheet."""

    @require_roles(Role.AGENT)
    @blp.arguments(VoiceArgs, location="query")
    @blp.response(200, content_type="text/csv")
    @documented_errors(blp, _ERRORS)
    def get(self, args: dict[str, Any]) -> Response:
        """CSV in UTF-8 with a byte order mark (Excel opens it in Japanese without garbling)."""
        lines = voice_lines(db.session, _voice_filter(args))
        body = to_csv(lines, ZoneInfo(current_app.config["TIMEZONE"]))
        return Response(
            body,
            mimetype="text/csv",
            headers={
                "Content-Type": "text/csv; charset=utf-8",
                "Content-Disposition": 'attachment; filename="customer-voice.csv"',
            },
        )


@blp.route("/metrics/satisfaction")
class Satisfaction(MethodView):
    """Survey answers."""

    @require_roles(Role.AGENT)
    @blp.arguments(PeriodArgs, location="query")
    @blp.response(200, SatisfactionOut)
    @documented_errors(blp, _ERRORS)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Answers given in the period by reason, product, kind, priority and agent."""
        since, until = _period(args)
        policy = CasePolicy.from_config(current_app.config)
        return satisfaction(db.session, since, until, policy, utcnow())


@blp.route("/metrics/cases")
class CaseNumbers(MethodView):
    """Promised response times kept."""

    @require_roles(Role.AGENT)
    @blp.arguments(PeriodArgs, location="query")
    @blp.response(200, CaseNumbersOut)
    @documented_errors(blp, _ERRORS)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Of the cases filed in the period, the share whose first response and resolution
        came on time."""
        since, until = _period(args)
        return case_numbers(db.session, since, until, utcnow())
