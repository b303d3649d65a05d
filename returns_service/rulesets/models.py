"""Rule set versions: drafts that change, published versions that never do."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from returns_service.models import Base, intpk, str_enum, utcnow


class RuleSetStatus(StrEnum):
    """A draft may still change; a published version never does."""

    DRAFT = "draft"
    PUBLISHED = "published"


class RuleSetVersion(Base):
    """One version of the shop's rule set, stored as its JSON document."""

    __tablename__ = "rule_set_versions"

    id: Mapped[intpk]
    status: Mapped[RuleSetStatus] = mapped_column(str_enum(RuleSetStatus))
    #: Counts published versions 1, 2, 3 ...; drafts have none.
    number: Mapped[int | None] = mapped_column(unique=True)
    document: Mapped[dict[str, Any]]
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("rule_set_versions.id"))
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None]
    published_by: Mapped[str | None] = mapped_column(String(128))


class RuleSetActivation(Base):
    """Which published version decides from when on; the newest row is in force.

    Kept apart from the versions so that publishing an earlier version again (a rollback)
    changes no published row.
    """

    __tablename__ = "rule_set_activations"

    id: Mapped[intpk]
    version_id: Mapped[int] = mapped_column(ForeignKey("rule_set_versions.id"))
    activated_at: Mapped[datetime]
    activated_by: Mapped[str] = mapped_column(String(128))
