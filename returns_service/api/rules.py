"""The rules admin API: drafts, validation, simulation, publishing, rollback."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import ValidationError as SchemaError
from marshmallow import fields, validate, validates_schema
from sqlalchemy import select

import rules
from returns_service.api.docs import documented_errors
from returns_service.auth.access import current_principal, require_roles
from returns_service.cancellations.facts import past_cancellation_decisions
from returns_service.compiled_schemas import Schema
from returns_service.errors import Conflict, NotFound
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.returns.simulation import past_line_decisions
from returns_service.rulesets import operations as rule_sets
from returns_service.rulesets.models import RuleSetStatus, RuleSetVersion
from returns_service.rulesets.operations import validated_document
from rules.facts import Scope
from rules.mentioned import facts_mentioned
from rules.simulation import MONEY_FACTS

blp = Blueprint("rules", __name__, url_prefix="/api/v1/rules", description="Auto-approval rules")


class VersionOut(Schema):
    """A rule set version."""

    id = fields.Integer()
    status = fields.Enum(RuleSetStatus, by_value=True)
    scope = fields.Enum(Scope, by_value=True)
    number = fields.Integer(allow_none=True)
    document = fields.Dict()
    based_on_id = fields.Integer(allow_none=True)
    created_by = fields.String()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    published_at = fields.AwareDateTime(allow_none=True)
    published_by = fields.String(allow_none=True)


class RulesOverviewOut(Schema):
    """The version in force, the drafts and the published history."""

    published = fields.Nested(VersionOut)
    drafts = fields.List(fields.Nested(VersionOut))
    versions = fields.List(fields.Nested(VersionOut))


class ScopeArgs(Schema):
    """Which rule set: the return rules (the default) or the cancellation rules."""

    scope = fields.Enum(Scope, by_value=True, load_default=Scope.RETURN)


class DraftInput(Schema):
    """A rule set document to save as a draft."""

    document = fields.Dict(required=True)
    based_on_id = fields.Integer(load_default=None)


class SimulateInput(Schema):
    """Which past requests to run the draft on: the last N, or a date range."""

    last = fields.Integer(load_default=None, validate=validate.Range(min=1, max=1_000_000))
    since = fields.AwareDateTime(load_default=None)
    until = fields.AwareDateTime(load_default=None)
    sample_size = fields.Integer(load_default=20, validate=validate.Range(min=0, max=500))

    @validates_schema
    def _one_range(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("last") is None and data.get("since") is None:
            raise SchemaError("give last (a count) or since (a date)", "last")


class TransitionOut(Schema):
    """How many lines move from one outcome to another."""

    from_ = fields.String(data_key="from", attribute="from")
    to = fields.String()
    count = fields.Integer()


class RuleCountOut(Schema):
    """A rule's matches before and after."""

    rule = fields.String()
    before = fields.Integer()
    after = fields.Integer()
    gained = fields.Integer()
    lost = fields.Integer()


class ChangedLineOut(Schema):
    """A past line the draft decides differently."""

    request_id = fields.String()
    line_id = fields.Integer()
    before = fields.String()
    after = fields.String()
    old_rule = fields.String()
    new_rule = fields.String()
    amount = fields.Integer(metadata={"description": "The line's value in minor units"})
    currency = fields.String()
    paid_as = fields.String(
        allow_none=True, metadata={"description": "refund or store_credit; null: no money"}
    )
    link = fields.String()


class MoneyOut(Schema):
    """Refunds or store credit in one currency that the draft would issue more or less."""

    currency = fields.String()
    paid_as = fields.String()
    more = fields.Integer()
    less = fields.Integer()
    net = fields.Integer()


class SimulationOut(Schema):
    """What a draft would change on past requests."""

    total = fields.Integer()
    changed = fields.Integer()
    transitions = fields.List(fields.Nested(TransitionOut))
    rules = fields.List(fields.Nested(RuleCountOut))
    sample = fields.List(fields.Nested(ChangedLineOut))
    money = fields.List(fields.Nested(MoneyOut))


def _version(version_id: int) -> RuleSetVersion:
    version = db.session.get(RuleSetVersion, version_id)
    if version is None:
        raise NotFound(f"no rule set version {version_id}")
    return version


def _draft(draft_id: int) -> RuleSetVersion:
    version = _version(draft_id)
    if version.status is not RuleSetStatus.DRAFT:
        raise Conflict(f"version {draft_id} is published; published versions never change")
    return version


_ERRORS = {
    401: "No valid token",
    403: "Needs the admin role",
    404: "No such version",
    409: "The version is published",
    422: "The rule set or a field is not valid",
}


def _documented(*statuses: int) -> Any:
    return documented_errors(blp, ((status, _ERRORS[status]) for status in statuses))


@blp.route("")
class RulesOverview(MethodView):
    """Rule sets."""

    @require_roles()
    @blp.arguments(ScopeArgs, location="query")
    @blp.response(200, RulesOverviewOut)
    @_documented(401, 403, 422)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The version in force, the drafts and the published versions of one scope."""
        now = utcnow()
        scope = args["scope"]
        published = rule_sets.active_version(db.session, now, scope)
        db.session.commit()
        query = (
            select(RuleSetVersion)
            .where(RuleSetVersion.scope == scope)
            .order_by(RuleSetVersion.id.desc())
        )
        versions = list(db.session.scalars(query))
        return {
            "published": published,
            "drafts": [v for v in versions if v.status is RuleSetStatus.DRAFT],
            "versions": [v for v in versions if v.status is RuleSetStatus.PUBLISHED],
        }


@blp.route("/drafts")
class Drafts(MethodView):
    """Drafts."""

    @require_roles()
    @blp.arguments(DraftInput)
    @blp.response(201, VersionOut)
    @_documented(401, 403, 422)
    def post(self, data: dict[str, Any]) -> RuleSetVersion:
        """Save a new draft; it is validated on save."""
        draft = rule_sets.create_draft(
            db.session,
            data["document"],
            based_on_id=data["based_on_id"],
            actor=current_principal().actor,
            now=utcnow(),
        )
        db.session.commit()
        return draft


@blp.route("/drafts/<int:draft_id>")
class Draft(MethodView):
    """One draft."""

    @require_roles()
    @blp.arguments(DraftInput)
    @blp.response(200, VersionOut)
    @_documented(401, 403, 404, 409, 422)
    def put(self, data: dict[str, Any], draft_id: int) -> RuleSetVersion:
        """Replace a draft's document; it is validated on save."""
        draft = _draft(draft_id)
        draft.document = validated_document(data["document"])
        draft.updated_at = utcnow()
        db.session.commit()
        return draft


def run_simulation(
    document: dict[str, Any],
    *,
    last: int | None,
    since: datetime | None,
    until: datetime | None,
    sample_size: int,
    link_base: str,
) -> dict[str, Any]:
    """Decide past requests of the document's scope again and report what would change.

    Return rule sets replay past return lines; cancellation rule sets past cancellations.
    """
    validated = validated_document(document)
    compiled = rules.compile_rule_set(validated)
    if validated["scope"] == Scope.CANCELLATION:
        past = past_cancellation_decisions(db.session, last=last, since=since, until=until)
        path = "cancellations"
    else:
        # Only the facts the draft reads (and the money report needs) are loaded: most of
        # the time on many lines.
        read = facts_mentioned(validated) | MONEY_FACTS
        past = past_line_decisions(db.session, last=last, since=since, until=until, facts=read)
        path = "returns"
    report = rules.simulate(compiled, past, sample_size=sample_size).as_dict()
    for change in report.get("sample", []):
        change["link"] = f"{link_base}/api/v1/{path}/{change['request_id']}"
    return report


@blp.route("/drafts/<int:draft_id>/simulate")
class SimulateDraft(MethodView):
    """Try a draft on past requests."""

    @require_roles()
    @blp.arguments(SimulateInput)
    @blp.response(200, SimulationOut)
    @_documented(401, 403, 404, 422)
    def post(self, data: dict[str, Any], draft_id: int) -> dict[str, Any]:
        """Which decisions would change, from what to what, which rules gain or lose, and
        the refunds and store credit issued more or less."""
        return run_simulation(
            _version(draft_id).document,
            last=data["last"],
            since=data["since"],
            until=data["until"],
            sample_size=data["sample_size"],
            link_base=current_app.config["PUBLIC_URL"],
        )


@blp.route("/drafts/<int:draft_id>/publish")
class PublishDraft(MethodView):
    """Publish a draft."""

    @require_roles()
    @blp.response(200, VersionOut)
    @_documented(401, 403, 404, 409, 422)
    def post(self, draft_id: int) -> RuleSetVersion:
        """Validate and publish a draft; it decides every request from now on."""
        draft = _draft(draft_id)
        validated_document(draft.document)
        rule_sets.publish(db.session, draft, utcnow(), current_principal().actor)
        db.session.commit()
        return draft


@blp.route("/versions/<int:version_id>")
class Version(MethodView):
    """One version."""

    @require_roles()
    @blp.response(200, VersionOut)
    @_documented(401, 403, 404)
    def get(self, version_id: int) -> RuleSetVersion:
        """A version's document and history."""
        return _version(version_id)


@blp.route("/versions/<int:version_id>/publish")
class Republish(MethodView):
    """Roll back to an earlier published version."""

    @require_roles()
    @blp.response(200, VersionOut)
    @_documented(401, 403, 404, 409)
    def post(self, version_id: int) -> RuleSetVersion:
        """Put an earlier published version in force again (its document is unchanged)."""
        version = _version(version_id)
        if version.status is not RuleSetStatus.PUBLISHED:
            raise Conflict(f"version {version_id} is a draft: publish it as a draft")
        rule_sets.publish(db.session, version, utcnow(), current_principal().actor)
        db.session.commit()
        return version
