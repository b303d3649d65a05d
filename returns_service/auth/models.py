"""Staff logins and API tokens, each with one role."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from returns_service.models import Base, intpk, str_enum, utcnow


class Role(StrEnum):
    """What a staff member or a token may do."""

    ADMIN = "admin"  # everything, including rules and settings
    AGENT = "agent"  # customer service: the review queue, approvals, cancellations
    WAREHOUSE = "warehouse"  # receiving and inspection
    INTEGRATION = "integration"  # systems feeding orders and shipments in


class StaffUser(Base):
    """A person who signs in to the staff pages."""

    __tablename__ = "staff_users"

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[Role] = mapped_column(str_enum(Role))
    password_hash: Mapped[str] = mapped_column(String(256))
    locale: Mapped[str] = mapped_column(String(8), default="ja")
    active: Mapped[bool] = mapped_column(default=True)
    #: Kept in the session cookie and compared on every request: bumping it (sign-out,
    #: password change, deactivation) ends every copy of every cookie issued before.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # What Flask-Login asks of a user object; the id carries the session version.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        """Whether the staff member may sign in."""
        return self.active

    def get_id(self) -> str:
        """The identity kept in the session: ``<id>:<session version>``."""
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        """Make every session cookie issued to this person so far worthless.

        Counted up in the database, not from the row as this request holds it: a process
        may take its staff as read a moment ago (``auth.staff_directory``)."""
        self.session_version = type(self).session_version + 1

    def set_password(self, password_hash: str) -> None:
        """Store a new password hash and end the sessions signed in with the old one."""
        self.password_hash = password_hash
        self.end_sessions()

    def deactivate(self) -> None:
        """Refuse this person from now on, including sessions already open."""
        self.active = False
        self.end_sessions()


class ApiToken(Base):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
