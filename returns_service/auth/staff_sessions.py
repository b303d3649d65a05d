"""Staff sign-in with Flask-Login; the session version ends every copy of a cookie.

The session keeps ``<user id>:<session version>``. The loader accepts it only while the
staff member is active and the version is still theirs: sign-out, a password change and
deactivation bump the version, so a cookie copied before any of them is refused after.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, abort, current_app, redirect, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import event, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from returns_service.auth import staff_directory
from returns_service.auth.models import Role, StaffUser
from returns_service.auth.tokens import Principal
from returns_service.extensions import db, login_manager

F = TypeVar("F", bound=Callable[..., Any])

#: Checked against when the e-mail is unknown, so both mistakes take the same time.
_NOBODY = generate_password_hash("not a password of anyone")


def init_app(app: Flask) -> None:
    """Bind Flask-Login to the app with the staff loader; cookies as the settings ask; what
    the process keeps of its staff forgotten when it writes them."""
    login_manager.init_app(app)
    login_manager.user_loader(load_staff)
    app.config.update(cookie_settings(app.config["PUBLIC_URL"]))
    forget = staff_directory.forget_written_staff
    if not event.contains(db.session_factory, "before_flush", forget):
        event.listen(db.session_factory, "before_flush", forget)


def cookie_settings(public_url: str) -> dict[str, object]:
    """Flask's cookie flags for a service served at ``public_url``.

    Lax keeps the cookie off other sites' POSTs; Secure where the service is served by https.
    """
    secure = public_url.startswith("https://")
    return {
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": secure,
    }


def load_staff(session_id: str) -> StaffUser | None:
    """The staff member a session names, if active and the session's version is current."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None  # a cookie from before session versions, or forged
    trusted_for = current_app.config["ACCESS_CHECK_SECONDS"]
    user = staff_directory.member(db.session(), int(user_id), trusted_for)
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


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
    login_user(user)


def sign_out() -> None:
    """End this session and every copy of it; the caller commits."""
    user = current_staff()
    if user is not None:
        user.end_sessions()
    logout_user()


def current_staff() -> StaffUser | None:
    """The signed-in, still active staff member of this request, if any."""
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    return user if isinstance(user, StaffUser) else None


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
