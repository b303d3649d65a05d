"""The rule set in force, compiled once per version and process."""

from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import rules
from returns_service.rulesets.models import RuleSetActivation, RuleSetStatus, RuleSetVersion

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


def publish(session: Session, version: RuleSetVersion, now: datetime, actor: str) -> None:
    """Put a version in force: a draft becomes the next published version; a published one
    is simply activated again (a rollback)."""
    if version.status is RuleSetStatus.DRAFT:
        version.document = rules.validate_rule_set(version.document)
        last = session.scalar(select(func.max(RuleSetVersion.number))) or 0
        version.status = RuleSetStatus.PUBLISHED
        version.number = last + 1
        version.published_at = now
        version.published_by = actor
    session.add(RuleSetActivation(version_id=version.id, activated_at=now, activated_by=actor))
    session.flush()


def active_version(session: Session, now: datetime) -> RuleSetVersion:
    """The version in force; the shipped default rule set is published on first use."""
    query = (
        select(RuleSetVersion)
        .join(RuleSetActivation, RuleSetActivation.version_id == RuleSetVersion.id)
        .order_by(RuleSetActivation.id.desc())
        .limit(1)
    )
    version = session.scalar(query)
    if version is not None:
        return version
    try:
        with session.begin_nested():
            version = RuleSetVersion(
                status=RuleSetStatus.DRAFT,
                document=rules.default_rule_set(),
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
