"""Staff pages: the e-mail the service would have sent, newest first, for admins.

The page exists where mail goes nowhere else (no SMTP server: ``MAIL_ON_DISK``, as in the
demo); with an SMTP server the mailbox is the customers' own.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, request
from flask.typing import ResponseReturnValue
from wtforms import SelectChoice

from returns_service.auth.models import Role
from returns_service.auth.staff_sessions import staff_required
from returns_service.extensions import db
from returns_service.notifications.sent_mail import mail_kinds, mask_credit_codes, sent_mail
from returns_service.staff.admin_forms import MailFilterForm
from returns_service.staff.admin_views import admin_render

PAGE_SIZE = 100


@staff_required(Role.ADMIN)
def mailbox() -> ResponseReturnValue:
    """The newest e-mails, filtered by recipient, subject and kind; credit codes masked."""
    if not current_app.config.get("MAIL_ON_DISK"):
        abort(404)
    form = MailFilterForm(formdata=request.args)
    form.kind.choices = [
        SelectChoice("", "—"),
        *(SelectChoice(kind, kind) for kind in mail_kinds(db.session)),
    ]
    form.validate()
    emails = sent_mail(
        db.session,
        recipient=(form.recipient.data or "")[:320],
        subject=(form.subject.data or "")[:200],
        kind=form.kind.data or "",
        limit=PAGE_SIZE,
    )
    return admin_render(
        "staff/mail.html", form=form, emails=emails, masked=mask_credit_codes, limit=PAGE_SIZE
    )


def register(bp: Blueprint) -> None:
    """Add the mailbox to the staff blueprint."""
    bp.add_url_rule("/mail", view_func=mailbox, methods=["GET"])
