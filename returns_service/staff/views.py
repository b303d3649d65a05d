"""What every staff page shares: the blueprint, rendering, refusals."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_babel import format_percent, gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import Forbidden as ForbiddenPage

from returns_service.auth.models import Role
from returns_service.auth.staff_sessions import current_staff, may
from returns_service.errors import NotFound
from returns_service.pages import form_expired, page_context, protect_forms
from returns_service.staff.admin_forms import ROLE_LABELS
from returns_service.staff.case_labels import actor_label, case_event_label, case_label

bp = Blueprint("staff_pages", __name__, url_prefix="/staff")
protect_forms(bp)
bp.add_app_template_filter(case_label, "case_label")
bp.add_app_template_filter(case_event_label, "case_event_label")
bp.add_app_template_filter(format_percent, "percent")
bp.add_app_template_filter(actor_label, "actor_label")


def render(template: str, status: int = 200, **context: Any) -> ResponseReturnValue:
    """A staff page with the signed-in member, their roles (and every role's name) and the
    shared context."""
    user = current_staff()
    return (
        render_template(
            template,
            **page_context(),
            user=user,
            may=lambda *roles: user is not None and may(user, *roles),
            Role=Role,
            role_labels=ROLE_LABELS,
            **context,
        ),
        status,
    )


@bp.errorhandler(403)
def forbidden(error: ForbiddenPage) -> ResponseReturnValue:
    """A signed-in staff member without the role the page needs."""
    return render("staff/refused.html", 403, error=gettext("You may not open this page."))


@bp.errorhandler(NotFound)
def not_found(error: NotFound) -> ResponseReturnValue:
    """An unknown RMA or rule set version, as a page rather than the API's JSON."""
    return render("staff/refused.html", 404, error=error.message)


@bp.errorhandler(CSRFError)
def form_without_token(error: CSRFError) -> ResponseReturnValue:
    """A form sent without this session's token: nothing is done."""
    return render("staff/refused.html", 400, error=form_expired())
