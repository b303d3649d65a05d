"""The demo's mailbox page: e-mail the service would have sent, newest first, for admins."""

from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, render_template
from sqlalchemy import select

from returns_service.auth.models import Role
from returns_service.auth.staff_sessions import staff_required
from returns_service.extensions import db
from returns_service.notifications.models import SentEmail
from returns_service.pages import page_context

bp = Blueprint("notifications", __name__)

PAGE_SIZE = 100

#: A store-credit code (``SC-`` and hex digits) is money to whoever reads it.
_CREDIT_CODE = re.compile(r"\bSC-([0-9A-Z]+)([0-9A-Z]{2})\b")


def mask_credit_codes(text: str) -> str:
    """The text with every store-credit code hidden but for its last two characters."""
    return _CREDIT_CODE.sub(lambda m: "SC-" + "*" * len(m.group(1)) + m.group(2), text)


@bp.get("/staff/mail")
@staff_required(Role.ADMIN)
def mailbox() -> str:
    """List the newest e-mails with their bodies, to admins; credit codes are masked.

    The page exists where mail goes nowhere else (no SMTP server: ``MAIL_ON_DISK``, as in
    the demo); with an SMTP server the mailbox is the customers' own.
    """
    if not current_app.config.get("MAIL_ON_DISK"):
        abort(404)
    query = select(SentEmail).order_by(SentEmail.sent_at.desc(), SentEmail.id.desc())
    emails = list(db.session.scalars(query.limit(PAGE_SIZE)))
    return render_template(
        "staff/mail.html", **page_context(), emails=emails, masked=mask_credit_codes
    )
