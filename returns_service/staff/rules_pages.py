"""Staff pages: the return rules in force, drafts, simulation, publishing."""

from __future__ import annotations

from typing import Any

import yaml
from flask import Blueprint, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from sqlalchemy import select

import rules
from returns_service.api.rules import run_simulation
from returns_service.auth.models import Role
from returns_service.auth.staff_sessions import current_staff, staff_principal, staff_required
from returns_service.errors import Conflict, DomainError, InvalidInput, NotFound
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.rulesets import operations as rule_sets
from returns_service.rulesets.models import RuleSetStatus, RuleSetVersion
from returns_service.staff.forms import RulesDraftForm, SimulateForm
from returns_service.staff.views import render
from rules.facts import Scope


def _rules_page(status: int = 200, **context: Any) -> ResponseReturnValue:
    # Reads only: before the default rules are first used, they are shown, not published.
    in_force = rule_sets.version_in_force(db.session, Scope.RETURN)
    in_force_document = in_force.document if in_force else rules.default_rule_set()
    versions = list(
        db.session.scalars(
            select(RuleSetVersion)
            .where(RuleSetVersion.scope == Scope.RETURN)
            .order_by(RuleSetVersion.id.desc())
        )
    )
    context.setdefault("document_text", rules.dump_rule_set(in_force_document))
    return render(
        "staff/rules.html",
        status,
        in_force=in_force,
        in_force_text=rules.dump_rule_set(in_force_document),
        drafts=[v for v in versions if v.status is RuleSetStatus.DRAFT],
        published=[v for v in versions if v.status is RuleSetStatus.PUBLISHED],
        simulate_form=SimulateForm(formdata=None),
        **context,
    )


@staff_required(Role.ADMIN)
def rules_page() -> ResponseReturnValue:
    """The return rules in force as YAML, the drafts, and the published versions."""
    saved = request.args.get("saved", type=int)
    published = request.args.get("published", type=int)
    notice = ""
    if saved:
        notice = gettext("Draft %(id)s saved.", id=saved)
    elif published:
        notice = gettext("Version %(number)s is in force.", number=published)
    return _rules_page(notice=notice)


def _parse_rules(text: str) -> dict[str, Any]:
    """A rule set from the textarea's YAML; InvalidInput lists every problem."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        problems = [{"path": "", "message": f"not valid YAML: {error}"}]
        raise InvalidInput("the rule set is not valid", errors={"rules": problems}) from None
    if isinstance(document, dict):
        document.setdefault("scope", Scope.RETURN.value)
        if document["scope"] != Scope.RETURN.value:
            raise InvalidInput("these pages edit the return rules", field="scope")
    return document


@staff_required(Role.ADMIN)
def save_draft() -> ResponseReturnValue:
    """Save the textarea as a new draft, validated first."""
    form = RulesDraftForm()
    text = form.document.data or ""
    try:
        if not form.validate():
            raise InvalidInput("the rule set is too long", field="document")
        draft = rule_sets.create_draft(
            db.session,
            _parse_rules(text),
            based_on_id=form.based_on_id.data,
            actor=staff_principal(current_staff()).actor,
            now=utcnow(),
        )
        db.session.commit()
    except InvalidInput as error:
        db.session.rollback()
        problems = error.details.get("errors", {}).get("rules") or [
            {"path": error.field or "", "message": error.message}
        ]
        return _rules_page(
            error.status.value,
            error=gettext("The rules have mistakes."),
            problems=problems,
            document_text=text,
        )
    return redirect(url_for("staff_pages.rules_page", saved=draft.id))


def _version(version_id: int, status: RuleSetStatus) -> RuleSetVersion:
    version = db.session.get(RuleSetVersion, version_id)
    if version is None or version.scope is not Scope.RETURN:
        raise NotFound(f"no rule set version {version_id}")
    if version.status is not status:
        raise Conflict(f"version {version_id} is not a {status.value} version")
    return version


@staff_required(Role.ADMIN)
def simulate_draft(draft_id: int) -> ResponseReturnValue:
    """Decide the last N requests again with a draft and show what would change."""
    form = SimulateForm()
    if not form.validate():
        return _rules_page(422, error=" ".join(map(str, form.last.errors)))
    last = form.last.data or 100
    try:
        report = run_simulation(
            _version(draft_id, RuleSetStatus.DRAFT).document,
            last=last,
            since=None,
            until=None,
            sample_size=20,
            link_base="",
        )
    except DomainError as error:
        return _rules_page(error.status.value, error=error.message)
    for change in report["sample"]:
        change["link"] = url_for("staff_pages.show_return", rma=change["request_id"])
    return _rules_page(simulation=report, simulated_id=draft_id, last=last)


def _publish(version_id: int, status: RuleSetStatus) -> ResponseReturnValue:
    try:
        version = _version(version_id, status)
        rule_sets.validated_document(version.document)
        rule_sets.publish(db.session, version, utcnow(), staff_principal(current_staff()).actor)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return _rules_page(error.status.value, error=error.message)
    return redirect(url_for("staff_pages.rules_page", published=version.number))


@staff_required(Role.ADMIN)
def publish_draft(draft_id: int) -> ResponseReturnValue:
    """Publish a draft: it decides every return from now on."""
    return _publish(draft_id, RuleSetStatus.DRAFT)


@staff_required(Role.ADMIN)
def publish_again(version_id: int) -> ResponseReturnValue:
    """Put an earlier published version in force again (a rollback)."""
    return _publish(version_id, RuleSetStatus.PUBLISHED)


def register(bp: Blueprint) -> None:
    """Add the rules pages to the staff blueprint."""
    bp.add_url_rule("/rules", view_func=rules_page, methods=["GET"])
    bp.add_url_rule("/rules/drafts", view_func=save_draft, methods=["POST"])
    bp.add_url_rule(
        "/rules/drafts/<int:draft_id>/simulate", view_func=simulate_draft, methods=["POST"]
    )
    bp.add_url_rule(
        "/rules/drafts/<int:draft_id>/publish", view_func=publish_draft, methods=["POST"]
    )
    bp.add_url_rule(
        "/rules/versions/<int:version_id>/publish", view_func=publish_again, methods=["POST"]
    )
