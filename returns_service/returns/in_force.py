"""The rules in force, found by two columns of a statement a use case sends anyway.

Reading the version in force loads its whole document, only to find the compiled rule set
cached by its id and publication time. Filing and cancelling read the id and publication
time as columns of their first statement after the order's lock, and load the version only
the first time this process sees it (or to publish the shipped default on first use).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ScalarSelect, select
from sqlalchemy.orm import Session

import rules
from returns_service.rulesets.models import RuleSetActivation, RuleSetStatus, RuleSetVersion
from returns_service.rulesets.operations import active_version, compiled
from rules.facts import Scope


@dataclass(frozen=True, slots=True)
class InForce:
    """A published version in force: what a decision records of it, and its rules."""

    id: int
    number: int | None
    rules: rules.CompiledRuleSet


def _latest(column: object, scope: Scope) -> ScalarSelect[object]:
    # As rulesets.operations.active_version finds it: the last activation of the scope.
    return (
        select(column)
        .join(RuleSetActivation, RuleSetActivation.version_id == RuleSetVersion.id)
        .where(RuleSetVersion.scope == scope)
        .order_by(RuleSetActivation.id.desc())
        .limit(1)
        .scalar_subquery()
    )


#: Per scope: the id and publication time of the version in force, as two columns.
IN_FORCE_COLUMNS = {
    scope: (_latest(RuleSetVersion.id, scope), _latest(RuleSetVersion.published_at, scope))
    for scope in Scope
}

#: Keyed by id and publication time: a database rebuilt from scratch reuses ids.
_SEEN: dict[tuple[int, datetime], InForce] = {}


def rules_in_force(
    session: Session,
    now: datetime,
    scope: Scope,
    version_id: int | None,
    published_at: datetime | None,
) -> InForce:
    """The version in force, given the columns of :data:`IN_FORCE_COLUMNS` (none before
    the scope's default was first published)."""
    seen = _SEEN.get((version_id, published_at)) if version_id and published_at else None
    if seen is not None:
        return seen
    version = active_version(session, now, scope)
    found = InForce(version.id, version.number, compiled(version))
    if version.status is RuleSetStatus.PUBLISHED and version.published_at is not None:
        _SEEN[(version.id, version.published_at)] = found
    return found
