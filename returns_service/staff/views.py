"""What every staff page shares: the blueprint, rendering, refusals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Any, TypeVar

from flask import Blueprint, redirect, render_template
from flask.typing import ResponseReturnValue
from flask_babel import format_percent, get_locale, get_timezone, get_translations, gettext
from flask_wtf.csrf import CSRFError
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from werkzeug.exceptions import Forbidden as ForbiddenPage

from returns_service.auth.models import Role
from returns_service.auth.staff_sessions import current_staff, may, staff_principal
from returns_service.errors import DomainError, NotFound
from returns_service.extensions import db
from returns_service.pages import (
    form_expired,
    local_datetime,
    not_done,
    page_context,
    page_words,
    protect_forms,
    read_only_when_showing,
)
from returns_service.staff.admin_forms import ROLE_LABELS
from returns_service.staff.case_labels import actor_label, case_label

T = TypeVar("T")

bp = Blueprint("staff_pages", __name__, url_prefix="/staff")
protect_forms(bp)
read_only_when_showing(bp)
bp.add_app_template_filter(page_words(case_label), "case_label")
bp.add_app_template_filter(format_percent, "percent")
bp.add_app_template_filter(actor_label, "actor_label")


def render(template: str, status: int = 200, **context: Any) -> ResponseReturnValue:
    """A staff page with the signed-in member, their roles (and every role's name) and the
    shared context."""
    user = current_staff()
    page_gettext = _page_gettext()
    return (
        render_template(
            template,
            **page_context(),
            user=user,
            may=lambda *roles: user is not None and may(user, *roles),
            Role=Role,
            role_labels=ROLE_LABELS,
            gettext=page_gettext,
            # ``_()`` straight to it rather than through the i18n extension's alias.
            _=page_gettext,
            shop_time=_page_times(),
            **context,
        ),
        status,
    )


def _page_gettext() -> Callable[..., str]:
    """The templates' ``_()`` for one page, for a text with values to fill in (a literal
    alone is looked up: :mod:`~returns_service.page_texts`): its language's catalogue is
    found once, not at every call as Flask-Babel's does; escaping and ``%(name)s`` filling
    as Jinja's own."""
    translate = get_translations().ugettext

    @pass_context
    def page_gettext(context: Context, text: str, **variables: Any) -> str:
        return _filled(translate(text), context.eval_ctx.autoescape, variables)

    return page_gettext


def _filled(found: str, autoescape: bool, variables: dict[str, Any]) -> str:
    return (Markup(found) if autoescape else found) % variables


def _page_times() -> Callable[[datetime], str]:
    """The templates' ``shop_time(moment)`` for one page: ``local_datetime`` with the page's
    language and the shop's time zone found once, each moment worded by Babel once (a list
    shows the same arrivals page after page)."""
    locale, zone = str(get_locale()), str(get_timezone())
    return lambda moment: _worded_time(moment, locale, zone)


@lru_cache(maxsize=4096)
def _worded_time(moment: datetime, locale: str, zone: str) -> str:
    """``local_datetime(moment)``, asked first while a page in ``locale`` and ``zone`` is
    served (the key names both, so no other page's words are given)."""
    return local_datetime(moment)


def act_then_show(
    lock: Callable[[], T],
    action: Callable[[T, str], None],
    again: Callable[[int, str], ResponseReturnValue],
    shown_at: str,
) -> ResponseReturnValue:
    """Run ``action`` on the locked case as the signed-in staff member, then commit.

    A refused operation rolls back and ``again`` shows the page with its status and message;
    a done one sends the browser to ``shown_at``.
    """
    principal = staff_principal(current_staff())
    try:
        subject = lock()
        action(subject, principal.actor)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return again(error.status.value, not_done(gettext("This was not done."), error.message))
    return redirect(shown_at)


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
