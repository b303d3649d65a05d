"""What the admin pages share: their sub-navigation, and one transaction per button."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask import current_app
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from returns_service.errors import DomainError
from returns_service.extensions import db
from returns_service.pages import not_done
from returns_service.staff.views import render

T = TypeVar("T")

#: The admin pages, by endpoint, in the order of their navigation.
ADMIN_PAGES = (
    ("staff_pages.admin_users", _l("Staff accounts")),
    ("staff_pages.admin_tokens", _l("API tokens")),
    ("staff_pages.admin_webhooks", _l("Webhooks")),
    ("staff_pages.admin_jobs", _l("Failed jobs")),
    ("staff_pages.admin_integrations", _l("Integrations")),
    ("staff_pages.mailbox", _l("Sent mail")),
)


def admin_render(template: str, status: int = 200, **context: Any) -> ResponseReturnValue:
    """An admin page with the admin navigation; the mailbox only where mail is kept."""
    shown = [
        page
        for page in ADMIN_PAGES
        if page[0] != "staff_pages.mailbox" or current_app.config.get("MAIL_ON_DISK")
    ]
    return render(template, status, admin_pages=shown, **context)


def in_one_transaction(
    action: Callable[[], T],
    done: Callable[[T], ResponseReturnValue],
    refused: Callable[[int, str], ResponseReturnValue],
    reasons: Mapping[int, str] | None = None,
) -> ResponseReturnValue:
    """Run ``action`` and commit, then answer with ``done``; a refusal rolls everything back
    and answers with ``refused`` (the status and the words for the page: the page's own
    ``reasons`` by status, else the general refusal)."""
    try:
        result = action()
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        status = error.status.value
        words = (reasons or {}).get(status) or not_done(
            gettext("This was not done."), error.message
        )
        return refused(status, words)
    return done(result)


def no_store(response: ResponseReturnValue) -> ResponseReturnValue:
    """A page that shows a secret once: no cache keeps a copy of it."""
    body, status = response  # type: ignore[misc]
    return body, status, {"Cache-Control": "no-store"}
