"""Staff pages: the return and cancellation rules, edited as rows or as YAML, published.

The same views serve both scopes: ``/staff/rules`` edits the return rules and
``/staff/cancellation-rules`` the cancellation rules. The structured editor and the YAML
edit the same draft; saving either validates it.
"""

from __future__ import annotations

from typing import Any

import yaml
from flask import Blueprint, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from returns_service.auth.models import Role
from returns_service.auth.staff_sessions import current_staff, staff_principal, staff_required
from returns_service.errors import DomainError, InvalidInput
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.rulesets import operations as rule_sets
from returns_service.rulesets.models import RuleSetStatus, RuleSetVersion
from returns_service.staff.rule_form import apply_edit, document_from_form
from returns_service.staff.rule_simulation import simulate_draft
from returns_service.staff.rules_forms import EditorForm, RulesDraftForm
from returns_service.staff.rules_view import SCOPE_PATHS, rules_page_view, version_of
from rules.facts import Scope


def _draft_or_none(scope: Scope, draft_id: int | None) -> RuleSetVersion | None:
    if draft_id is None:
        return None
    version = db.session.get(RuleSetVersion, draft_id)
    if version is None or version.scope is not scope or version.status is not RuleSetStatus.DRAFT:
        return None
    return version


@staff_required(Role.ADMIN)
def rules_page(scope: str) -> ResponseReturnValue:
    """The rules in force, the draft being edited, the drafts and the published versions."""
    kind = Scope(scope)
    saved = request.args.get("saved", type=int)
    published = request.args.get("published", type=int)
    notice = ""
    if saved:
        notice = gettext("Draft %(id)s saved.", id=saved)
    elif published:
        notice = gettext("Version %(number)s is in force.", number=published)
    editing = _draft_or_none(kind, request.args.get("draft", type=int))
    return rules_page_view(kind, notice=notice, editing=editing)


def _parse_yaml(text: str, scope: Scope) -> Any:
    """A rule set from the textarea's YAML; InvalidInput lists every problem."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        problems = [{"path": "", "message": f"not valid YAML: {error}"}]
        raise InvalidInput("the rule set is not valid", errors={"rules": problems}) from None
    if isinstance(document, dict):
        document.setdefault("scope", scope.value)
        if document["scope"] != scope.value:
            raise InvalidInput(f"these pages edit the {scope.value} rules", field="scope")
    return document


def _save(scope: Scope, document: Any, draft_id: int | None, based_on_id: int | None) -> int:
    """Save `document` into the draft being edited, or as a new draft; its id."""
    now = utcnow()
    draft = _draft_or_none(scope, draft_id)
    if draft is not None:
        rule_sets.update_draft(db.session, draft, document, now)
    else:
        draft = rule_sets.create_draft(
            db.session,
            document,
            based_on_id=based_on_id,
            actor=staff_principal(current_staff()).actor,
            now=now,
        )
    db.session.commit()
    return draft.id


def _refused(scope: Scope, error: InvalidInput, **context: Any) -> ResponseReturnValue:
    db.session.rollback()
    problems = error.details.get("errors", {}).get("rules") or [
        {"path": error.field or "", "message": error.message}
    ]
    return rules_page_view(
        scope,
        error.status.value,
        error=gettext("The rules have mistakes."),
        problems=problems,
        **context,
    )


def _saved(scope: Scope, draft_id: int) -> ResponseReturnValue:
    return redirect(
        url_for("staff_pages.rules_page", scope=scope.value, draft=draft_id, saved=draft_id)
    )


@staff_required(Role.ADMIN)
def save_draft(scope: str) -> ResponseReturnValue:
    """Save the YAML as the draft being edited, or as a new draft; validated first."""
    kind = Scope(scope)
    form = RulesDraftForm()
    text = form.document.data or ""
    editing = _draft_or_none(kind, form.draft_id.data)
    document = None
    try:
        if not form.validate():
            raise InvalidInput("the rule set is too long", field="document")
        document = _parse_yaml(text, kind)
        draft_id = _save(kind, document, form.draft_id.data, form.based_on_id.data)
    except InvalidInput as error:
        # The editor shows what the YAML says where it can be read as a rule set.
        shown = document if isinstance(document, dict) else None
        return _refused(kind, error, document_text=text, editing=editing, document=shown)
    return _saved(kind, draft_id)


@staff_required(Role.ADMIN)
def save_from_editor(scope: str) -> ResponseReturnValue:
    """The structured editor's form: an edit (add, remove, move) shown again, or a save."""
    kind = Scope(scope)
    form = EditorForm()
    document = document_from_form(request.form)
    document["scope"] = kind.value
    editing = _draft_or_none(kind, form.draft_id.data)
    action = request.form.get("do", "save")
    if action != "save":
        return rules_page_view(kind, document=apply_edit(document, action), editing=editing)
    try:
        draft_id = _save(kind, document, form.draft_id.data, form.based_on_id.data)
    except InvalidInput as error:
        return _refused(kind, error, document=document, editing=editing)
    return _saved(kind, draft_id)


def _publish(scope: Scope, version_id: int, status: RuleSetStatus) -> ResponseReturnValue:
    try:
        version = version_of(scope, version_id, status)
        rule_sets.validated_document(version.document)
        rule_sets.publish(db.session, version, utcnow(), staff_principal(current_staff()).actor)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return rules_page_view(scope, error.status.value, error=error.message)
    return redirect(url_for("staff_pages.rules_page", scope=scope.value, published=version.number))


@staff_required(Role.ADMIN)
def publish_draft(scope: str, draft_id: int) -> ResponseReturnValue:
    """Publish a draft: it decides every request of its scope from now on."""
    return _publish(Scope(scope), draft_id, RuleSetStatus.DRAFT)


@staff_required(Role.ADMIN)
def publish_again(scope: str, version_id: int) -> ResponseReturnValue:
    """Put an earlier published version in force again (a rollback)."""
    return _publish(Scope(scope), version_id, RuleSetStatus.PUBLISHED)


def register(bp: Blueprint) -> None:
    """Add the rules pages of both scopes to the staff blueprint."""
    views = (
        ("", rules_page, ["GET"]),
        ("/drafts", save_draft, ["POST"]),
        ("/editor", save_from_editor, ["POST"]),
        ("/drafts/<int:draft_id>/simulate", simulate_draft, ["POST"]),
        ("/drafts/<int:draft_id>/publish", publish_draft, ["POST"]),
        ("/versions/<int:version_id>/publish", publish_again, ["POST"]),
    )
    for scope, base in SCOPE_PATHS.items():
        for path, view, methods in views:
            bp.add_url_rule(
                base + path, view_func=view, methods=methods, defaults={"scope": scope.value}
            )
