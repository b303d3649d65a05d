"""Admin pages: API tokens — create one (its secret shown once), list them, revoke one."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from sqlalchemy import select

from returns_service.auth import operations as access
from returns_service.auth.models import ApiToken, Role
from returns_service.auth.staff_sessions import staff_required
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.staff.admin_forms import NewTokenForm
from returns_service.staff.admin_views import admin_render, in_one_transaction, no_store


def _page(status: int = 200, **context: Any) -> ResponseReturnValue:
    tokens = list(db.session.scalars(select(ApiToken).order_by(ApiToken.id.desc())))
    context.setdefault("form", NewTokenForm(formdata=None))
    return admin_render(
        "staff/admin_tokens.html",
        status,
        tokens=tokens,
        **context,
    )


@staff_required(Role.ADMIN)
def admin_tokens() -> ResponseReturnValue:
    """Every token (never its secret): name, role, when made, last used, revoked."""
    revoked = request.args.get("revoked", type=int)
    return _page(notice=gettext("Token %(id)s is revoked.", id=revoked) if revoked else "")


@staff_required(Role.ADMIN)
def create_token() -> ResponseReturnValue:
    """Make a token; its secret is on this answer and nowhere else, ever."""
    form = NewTokenForm()
    if not form.validate():
        return _page(422, form=form, error=gettext("Please check the fields marked below."))
    return in_one_transaction(
        lambda: access.issue_token(
            db.session, utcnow(), form.name.data or "", Role(form.role.data)
        ),
        lambda made: no_store(_page(201, shown_token=made)),
        lambda status, error: _page(status, form=form, error=error),
    )


@staff_required(Role.ADMIN)
def revoke_token(token_id: int) -> ResponseReturnValue:
    """Refuse a token: this process at once, the service's others within
    ``RETURNS_ACCESS_CHECK_SECONDS``."""
    return in_one_transaction(
        lambda: access.revoke_token(db.session, utcnow(), token_id),
        lambda token: redirect(url_for("staff_pages.admin_tokens", revoked=token.id)),
        lambda status, error: _page(status, error=error),
        {409: gettext("This token is revoked already.")},
    )


def register(bp: Blueprint) -> None:
    """Add the API tokens pages to the staff blueprint."""
    bp.add_url_rule("/admin/tokens", view_func=admin_tokens, methods=["GET"])
    bp.add_url_rule("/admin/tokens", view_func=create_token, methods=["POST"])
    bp.add_url_rule("/admin/tokens/<int:token_id>/revoke", view_func=revoke_token, methods=["POST"])
