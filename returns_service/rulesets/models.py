"""Rule set versions: drafts that change, published versions that never do."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, validates

from returns_service.models import Base, intpk, str_enum, utcnow
from rules.facts import Scope


class RuleSetStatus(StrEnum):
    """A draft may still change; a published version never does."""

    DRAFT = "draft"
    PUBLISHED = "published"


class RuleSetVersion(Base):
    """One version of one of the shop's rule sets, stored as its JSON document.

    The shop has a rule set per scope (returns, cancellations); each has its own versions.
    """

    __tablename__ = "rule_set_versions"

    id: Mapped[intpk]
    status: Mapped[RuleSetStatus] = mapped_column(str_enum(RuleSetStatus))
    #: Which requests it decides; always the document's own ``scope``.
    scope: Mapped[Scope] = mapped_column(
        str_enum(Scope, length=16), default=Scope.RETURN, server_default=Scope.RETURN.value
    )
    #: Counts the published versions of a scope 1, 2, 3 ...; drafts have none.
    number: Mapped[int | None]
    document: Mapped[dict[str, Any]]
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("rule_set_versions.id"), index=True)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None]
    published_by: Mapped[str | None] = mapped_column(String(128))

    __table_args__ = (UniqueConstraint("scope", "number"),)

    @validates("document")
    def _scope_follows_document(self, key: str, document: dict[str, Any]) -> dict[str, Any]:
        scope = document.get("scope", Scope.RETURN.value) if isinstance(document, dict) else None
        self.scope = Scope(scope) if scope in tuple(Scope) else Scope.RETURN
        return document


class RuleSetActivation(Base):
    """Which published version decides from when on; the newest row is in force.

    Kept apart from the versions so that publishing an earlier version again (a rollback)
    changes no published row.
    """

    __tablename__ = "rule_set_activations"

    id: Mapped[intpk]
    version_id: Mapped[int] = mapped_column(ForeignKey("rule_set_versions.id"), index=True)
    activated_at: Mapped[datetime]
    activated_by: Mapped[str] = mapped_column(String(128))
