"""Admin pages: staff logins — add one, change a role, reset a password, deactivate."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from sqlalchemy import select

from returns_service.auth import operations as access
from returns_service.auth.models import Role, StaffUser
from returns_service.auth.staff_sessions import current_staff, staff_required
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.staff.admin_forms import NewStaffForm, RoleForm
from returns_service.staff.admin_views import admin_render, in_one_transaction, no_store

#: What the page says after a change, by the ``done`` argument of its address.
_DONE = {
    "deactivated": lambda: gettext("The account is deactivated; its sessions have ended."),
    "role": lambda: gettext("The role is changed; the person signs in again to use it."),
}


def _page(status: int = 200, **context: Any) -> ResponseReturnValue:
    users = list(db.session.scalars(select(StaffUser).order_by(StaffUser.email)))
    context.setdefault("form", NewStaffForm(formdata=None))
    return admin_render(
        "staff/admin_users.html",
        status,
        users=users,
        role_choices=RoleForm(formdata=None).role.choices,
        **context,
    )


@staff_required(Role.ADMIN)
def admin_users() -> ResponseReturnValue:
    """Every staff login with its role and state, and the form to add one."""
    done = _DONE.get(request.args.get("done", ""))
    return _page(notice=done() if done else "")


@staff_required(Role.ADMIN)
def create_user() -> ResponseReturnValue:
    """Add a staff login with a password made for it, shown on this answer only."""
    form = NewStaffForm()
    if not form.validate():
        return _page(422, form=form, error=gettext("Please check the fields marked below."))
    password = access.new_password()

    def create() -> StaffUser:
        return access.create_staff(
            db.session,
            utcnow(),
            email=form.email.data or "",
            role=Role(form.role.data),
            password=password,
            name=form.name.data or "",
            locale=form.locale.data or "ja",
        )

    return in_one_transaction(
        create,
        lambda user: no_store(_page(201, shown_password=(user.email, password))),
        lambda status, error: _page(status, form=form, error=error),
        {409: gettext("A staff account with this e-mail address exists already.")},
    )


def _change(user_id: int, change: Callable[[StaffUser], None], done: str) -> ResponseReturnValue:
    return in_one_transaction(
        lambda: change(access.get_staff(db.session, user_id, lock=True)),
        lambda _: redirect(url_for("staff_pages.admin_users", done=done)),
        lambda status, error: _page(status, error=error),
        {409: gettext("You cannot do this to your own account: ask another administrator.")},
    )


@staff_required(Role.ADMIN)
def deactivate_user(user_id: int) -> ResponseReturnValue:
    """Refuse a staff member from now on; their open sessions end at once."""
    return _change(
        user_id, lambda user: access.deactivate_staff(user, by=current_staff()), "deactivated"
    )


@staff_required(Role.ADMIN)
def change_user_role(user_id: int) -> ResponseReturnValue:
    """Give a staff member another role."""
    form = RoleForm()
    if not form.validate():
        return _page(422, error=gettext("Please check the fields marked below."))
    role = Role(form.role.data)
    return _change(user_id, lambda user: access.change_role(user, role, by=current_staff()), "role")


@staff_required(Role.ADMIN)
def reset_password(user_id: int) -> ResponseReturnValue:
    """Give a staff member a new password, shown on this answer only; their sessions end."""
    password = access.new_password()

    def reset() -> StaffUser:
        user = access.get_staff(db.session, user_id, lock=True)
        access.set_password(user, password)
        return user

    return in_one_transaction(
        reset,
        lambda user: no_store(_page(shown_password=(user.email, password))),
        lambda status, error: _page(status, error=error),
    )


def register(bp: Blueprint) -> None:
    """Add the staff accounts pages to the staff blueprint."""
    bp.add_url_rule("/admin/users", view_func=admin_users, methods=["GET"])
    bp.add_url_rule("/admin/users", view_func=create_user, methods=["POST"])
    for view, action in (
        (deactivate_user, "deactivate"),
        (change_user_role, "role"),
        (reset_password, "password"),
    ):
        bp.add_url_rule(f"/admin/users/<int:user_id>/{action}", view_func=view, methods=["POST"])
