"""The rule set in force, compiled once per version and process."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import rules
from returns_service.errors import Conflict, InvalidInput
from returns_service.rulesets.models import RuleSetActivation, RuleSetStatus, RuleSetVersion
from rules.facts import Scope

#: Keyed by id and publication time: a database rebuilt from scratch reuses ids.
_compiled: dict[tuple[int, datetime | None], rules.CompiledRuleSet] = {}
_lock = threading.Lock()


def compiled(version: RuleSetVersion) -> rules.CompiledRuleSet:
    """The compiled form of a published version; compiled once, as it never changes."""
    if version.status is not RuleSetStatus.PUBLISHED:
        return rules.compile_rule_set(version.document)
    key = (version.id, version.published_at)
    with _lock:
        if key not in _compiled:
            _compiled[key] = rules.compile_rule_set(version.document)
        return _compiled[key]


def default_cancellation_rule_set() -> dict[str, Any]:
    """The cancellation rules a new shop starts with: made-to-order work is not undone."""
    return {
        "name": "default cancellation rules",
        "description": "Made-to-order items go into production a day after the order.",
        "scope": Scope.CANCELLATION.value,
        "rules": [
            {
                "name": "made_to_order_in_production",
                "condition": {
                    "all": [
                        {"fact": "is_made_to_order", "op": "==", "value": True},
                        {"fact": "hours_since_order", "op": ">", "value": 24},
                    ]
                },
                "action": {
                    "outcome": "reject",
                    "message": {
                        "ja": "受注生産の商品は、ご注文から24時間を過ぎると製作を始めるため"
                        "キャンセルをお受けできません。",
                        "en": "Made-to-order items go into production 24 hours after the "
                        "order and can no longer be cancelled.",
                    },
                },
            },
            {"name": "default", "action": {"outcome": "approve"}},
        ],
    }


#: The rule set each scope starts with, published on first use.
DEFAULTS: dict[Scope, Callable[[], dict[str, Any]]] = {
    Scope.RETURN: rules.default_rule_set,
    Scope.CANCELLATION: default_cancellation_rule_set,
}


def validated_document(document: dict[str, Any]) -> dict[str, Any]:
    """The normalised rule set, or 422 listing each mistake with its path."""
    try:
        return rules.validate_rule_set(document)
    except rules.RuleSetInvalid as exc:
        raise InvalidInput("the rule set is not valid", errors={"rules": exc.errors}) from None


def publish(session: Session, version: RuleSetVersion, now: datetime, actor: str) -> None:
    """Put a version in force in its scope: a draft becomes the scope's next published
    version; a published one is simply activated again (a rollback)."""
    if version.status is RuleSetStatus.DRAFT:
        version.document = rules.validate_rule_set(version.document)
        last = (
            session.scalar(
                select(func.max(RuleSetVersion.number)).where(RuleSetVersion.scope == version.scope)
            )
            or 0
        )
        version.status = RuleSetStatus.PUBLISHED
        version.number = last + 1
        version.published_at = now
        version.published_by = actor
    session.add(RuleSetActivation(version_id=version.id, activated_at=now, activated_by=actor))
    session.flush()


def create_draft(
    session: Session,
    document: dict[str, Any],
    *,
    based_on_id: int | None,
    actor: str,
    now: datetime,
) -> RuleSetVersion:
    """Save a validated rule set as a new draft (422 listing each mistake otherwise)."""
    draft = RuleSetVersion(
        status=RuleSetStatus.DRAFT,
        document=validated_document(document),
        based_on_id=based_on_id,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    session.add(draft)
    session.flush()
    return draft


def update_draft(
    session: Session, draft: RuleSetVersion, document: dict[str, Any], now: datetime
) -> RuleSetVersion:
    """Replace a draft's document, validated first (422 listing each mistake otherwise)."""
    if draft.status is not RuleSetStatus.DRAFT:
        raise Conflict(f"version {draft.id} is published; published versions never change")
    draft.document = validated_document(document)
    draft.updated_at = now
    session.flush()
    return draft


#: The version in force per scope, each statement built once (building one costs more
#: than running it from the statement cache).
_IN_FORCE = {
    scope: select(RuleSetVersion)
    .join(RuleSetActivation, RuleSetActivation.version_id == RuleSetVersion.id)
    .where(RuleSetVersion.scope == scope)
    .order_by(RuleSetActivation.id.desc())
    .limit(1)
    for scope in Scope
}


def version_in_force(session: Session, scope: Scope = Scope.RETURN) -> RuleSetVersion | None:
    """The version in force in a scope, or None before its default was first published;
    reads only, for pages that show the rules."""
    return session.scalar(_IN_FORCE[scope])


def active_version(session: Session, now: datetime, scope: Scope = Scope.RETURN) -> RuleSetVersion:
    """The version in force in a scope; the shipped default is published on first use."""
    query = _IN_FORCE[scope]
    version = session.scalar(query)
    if version is not None:
        return version
    try:
        with session.begin_nested():
            version = RuleSetVersion(
                status=RuleSetStatus.DRAFT,
                document=DEFAULTS[scope](),
                created_by="system",
                created_at=now,
            )
            session.add(version)
            session.flush()
            publish(session, version, now, "system")
        return version
    except IntegrityError:
        # Another request published the default at the same moment; use theirs.
        return session.scalars(query).one()
