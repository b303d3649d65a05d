"""The rules page of a scope as rendered: in force, the draft edited, drafts and versions."""

from __future__ import annotations

from typing import Any

from flask.typing import ResponseReturnValue
from sqlalchemy import select

import rules
from returns_service.errors import Conflict, NotFound
from returns_service.extensions import db
from returns_service.rulesets import operations as rule_sets
from returns_service.rulesets.models import RuleSetStatus, RuleSetVersion
from returns_service.staff.rule_editor import editor_choices, editor_rows
from returns_service.staff.rule_labels import ACTION_FIELD_LABELS
from returns_service.staff.rule_problems import placed, problem_text
from returns_service.staff.rules_forms import SimulateForm
from returns_service.staff.views import render
from rules.facts import Scope

#: Where each scope's pages live under /staff.
SCOPE_PATHS = {Scope.RETURN: "/rules", Scope.CANCELLATION: "/cancellation-rules"}


def rules_page_view(scope: Scope, status: int = 200, **context: Any) -> ResponseReturnValue:
    """The rules page of a scope; `context` may carry the document shown and problems."""
    # Reads only: before the default rules are first used, they are shown, not published.
    in_force = rule_sets.version_in_force(db.session, scope)
    in_force_document = in_force.document if in_force else rule_sets.DEFAULTS[scope]()
    versions = list(
        db.session.scalars(
            select(RuleSetVersion)
            .where(RuleSetVersion.scope == scope)
            .order_by(RuleSetVersion.id.desc())
        )
    )
    editing = context.pop("editing", None)
    document = context.pop("document", None)
    if document is None:
        document = editing.document if editing else in_force_document
    problems = context.pop("problems", [])
    by_place = placed(problems)
    context.setdefault("document_text", rules.dump_rule_set(document))
    return render(
        "staff/rules.html",
        status,
        scope=scope.value,
        in_force=in_force,
        in_force_text=rules.dump_rule_set(in_force_document),
        editing=editing,
        document=document,
        rows=editor_rows(document, by_place),
        set_problems=[
            text
            for (rule, _node, _field), texts in by_place.items()
            if rule is None
            for text in texts
        ],
        problem_list=[{"path": p.get("path", ""), "text": problem_text(p)} for p in problems],
        choices=editor_choices(scope),
        action_labels={name: str(label) for name, label in ACTION_FIELD_LABELS.items()},
        drafts=[v for v in versions if v.status is RuleSetStatus.DRAFT],
        published=[v for v in versions if v.status is RuleSetStatus.PUBLISHED],
        simulate_form=context.pop("simulate_form", None) or SimulateForm(formdata=None),
        **context,
    )


def version_of(scope: Scope, version_id: int, status: RuleSetStatus) -> RuleSetVersion:
    """A version of the scope in the given status; NotFound or Conflict otherwise."""
    version = db.session.get(RuleSetVersion, version_id)
    if version is None or version.scope is not scope:
        raise NotFound(f"no rule set version {version_id}")
    if version.status is not status:
        raise Conflict(f"version {version_id} is not a {status.value} version")
    return version
