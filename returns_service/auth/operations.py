"""Use cases of access: staff logins and API tokens, as admins manage them.

The callers (the admin pages, the command line) commit; a refused change raises a
DomainError and writes nothing.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from returns_service.auth.models import ApiToken, Role, StaffUser
from returns_service.auth.tokens import create_token, recent_checks
from returns_service.errors import Conflict, InvalidInput, NotFound

#: The roles a person signing in may have; ``integration`` is for systems' tokens only.
STAFF_ROLES = (Role.ADMIN, Role.AGENT, Role.WAREHOUSE)
MIN_PASSWORD_LENGTH = 8


def new_password() -> str:
    """A password to hand to a person once, long enough to need no rules of its own."""
    return secrets.token_urlsafe(12)


def _checked_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"the password must have at least {MIN_PASSWORD_LENGTH} characters", field="password"
        )
    return generate_password_hash(password)


def _staff_role(role: Role) -> Role:
    if role not in STAFF_ROLES:
        raise InvalidInput(f"{role.value} is not a role for people", field="role")
    return role


def staff_by_email(session: Session, email: str) -> StaffUser | None:
    """The staff member with this e-mail address, in any case."""
    return session.scalar(
        select(StaffUser).where(func.lower(StaffUser.email) == email.strip().lower())
    )


def get_staff(session: Session, user_id: int, *, lock: bool = False) -> StaffUser:
    """The staff member with this id, or NotFound."""
    user = session.get(StaffUser, user_id, with_for_update=lock) if 0 < user_id < 2**31 else None
    if user is None:
        raise NotFound(f"no staff member {user_id}")
    return user


def create_staff(
    session: Session,
    now: datetime,
    *,
    email: str,
    role: Role,
    password: str,
    name: str = "",
    locale: str = "ja",
) -> StaffUser:
    """Add a staff login; Conflict when the e-mail address has one already."""
    email = email.strip().lower()
    local, at, domain = email.partition("@")
    if not (local and at and "." in domain) or any(c.isspace() for c in email):
        raise InvalidInput(f"{email!r} is not an e-mail address", field="email")
    if staff_by_email(session, email) is not None:
        raise Conflict(f"a staff member {email} exists already")
    user = StaffUser(
        email=email,
        name=name.strip(),
        role=_staff_role(role),
        locale=locale,
        password_hash=_checked_password(password),
        created_at=now,
    )
    session.add(user)
    return user


def _not_yourself(user: StaffUser, by: StaffUser | None, what: str) -> None:
    """An admin cannot lock themselves out: someone else must do it."""
    if by is not None and by.id == user.id:
        raise Conflict(f"you cannot {what} yourself: ask another admin")


def deactivate_staff(user: StaffUser, *, by: StaffUser | None = None) -> None:
    """Refuse the staff member from now on; their open sessions end (in every web process
    within ``RETURNS_ACCESS_CHECK_SECONDS``)."""
    _not_yourself(user, by, "deactivate")
    if not user.active:
        raise Conflict(f"{user.email} is deactivated already")
    user.deactivate()


def set_password(user: StaffUser, password: str) -> None:
    """Give the staff member a new password; their open sessions end (in every web process
    within ``RETURNS_ACCESS_CHECK_SECONDS``)."""
    user.set_password(_checked_password(password))


def change_role(user: StaffUser, role: Role, *, by: StaffUser | None = None) -> None:
    """Give the staff member another role; their sessions end so the new one applies."""
    if role is user.role:
        return
    _not_yourself(user, by, "change the role of")
    user.role = _staff_role(role)
    user.end_sessions()


def issue_token(session: Session, now: datetime, name: str, role: Role) -> tuple[ApiToken, str]:
    """A new API token and its plain text, which is shown once and never stored."""
    name = name.strip()
    if not name:
        raise InvalidInput("give the token a name", field="name")
    return create_token(session, name[:100], role, now)


def revoke_token(session: Session, now: datetime, token_id: int) -> ApiToken:
    """Refuse the token: in this process at once, in the service's others within
    ``RETURNS_ACCESS_CHECK_SECONDS`` (see ``auth.tokens.RecentChecks``); Conflict when it was
    revoked before."""
    token = session.get(ApiToken, token_id, with_for_update=True) if 0 < token_id < 2**31 else None
    if token is None:
        raise NotFound(f"no token {token_id}")
    if token.revoked_at is not None:
        raise Conflict(f"token {token_id} was revoked at {token.revoked_at.isoformat()}")
    token.revoked_at = now
    token_hash = token.token_hash
    recent_checks.forget(token_hash)
    # Again once committed: a request of another thread may have checked the token before.
    own = session if isinstance(session, Session) else session()  # a scoped session
    event.listen(own, "after_commit", lambda _: recent_checks.forget(token_hash), once=True)
    return token
