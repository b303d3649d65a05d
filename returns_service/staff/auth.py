"""Staff sign-in: the signed session keeps the staff member's id; a guard checks the role."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, g, redirect, session, url_for
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from returns_service.auth.models import Role, StaffUser
from returns_service.auth.tokens import Principal
from returns_service.extensions import db

F = TypeVar("F", bound=Callable[..., Any])

SESSION_KEY = "staff_user_id"

#: Checked against when the e-mail is unknown, so both mistakes take the same time.
_NOBODY = generate_password_hash("not a password of anyone")


def authenticate(email: str, password: str) -> StaffUser | None:
    """The active staff member with this e-mail and password; None for any mistake."""
    user = db.session.scalar(
        select(StaffUser).where(func.lower(StaffUser.email) == email.strip().lower())
    )
    if user is None or not user.active:
        check_password_hash(_NOBODY, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def sign_in(user: StaffUser) -> None:
    """Remember the staff member in the session cookie."""
    session[SESSION_KEY] = user.id


def sign_out() -> None:
    """Forget the staff member."""
    session.pop(SESSION_KEY, None)


def current_staff() -> StaffUser | None:
    """The signed-in, still active staff member of this request, if any."""
    if "staff_user" not in g:
        user_id = session.get(SESSION_KEY)
        user = db.session.get(StaffUser, user_id) if user_id else None
        g.staff_user = user if user is not None and user.active else None
    return g.staff_user


def staff_principal(user: StaffUser) -> Principal:
    """The principal the operations write on timelines: ``staff:<email>``."""
    return Principal(actor=f"staff:{user.email}", role=user.role)


def may(user: StaffUser, *roles: Role) -> bool:
    """Whether the staff member has one of ``roles``; admin may do everything."""
    return user.role is Role.ADMIN or user.role in roles


def staff_required(*roles: Role) -> Callable[[F], F]:
    """Send visitors to the sign-in page; answer 403 to staff without one of ``roles``.

    No roles means any signed-in staff member.
    """

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            user = current_staff()
            if user is None:
                return redirect(url_for("staff_pages.login"))
            if roles and not may(user, *roles):
                abort(403)
            return view(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate
