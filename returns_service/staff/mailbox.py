"""The demo's mailbox page: e-mail the service would have sent, newest first."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, render_template, request
from sqlalchemy import select

from returns_service.config import LOCALES
from returns_service.extensions import db
from returns_service.notifications.models import SentEmail
from returns_service.staff.auth import staff_required

bp = Blueprint("notifications", __name__)

PAGE_SIZE = 100


@bp.get("/staff/mail")
@staff_required()
def mailbox() -> str:
    """List the newest e-mails with their bodies, to signed-in staff.

    The page exists where mail goes nowhere else (no SMTP server: ``MAIL_ON_DISK``, as in
    the demo); with an SMTP server the mailbox is the customers' own.
    """
    if not current_app.config.get("MAIL_ON_DISK"):
        abort(404)
    lang = request.args.get("lang")
    if lang not in LOCALES:
        lang = request.accept_languages.best_match(
            LOCALES, default=current_app.config["DEFAULT_LOCALE"]
        )
    query = select(SentEmail).order_by(SentEmail.sent_at.desc(), SentEmail.id.desc())
    emails = list(db.session.scalars(query.limit(PAGE_SIZE)))
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return render_template(
        "staff/mail.html",
        lang=lang,
        emails=emails,
        local_time=lambda moment: moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z"),
        shop_name=current_app.config["SHOP_NAME"],
    )
