"""Staff pages: signing in and out."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from returns_service.auth.staff_sessions import authenticate, sign_in, sign_out
from returns_service.extensions import db, limiter
from returns_service.staff.forms import SignInForm
from returns_service.staff.views import render


def _rate() -> str:
    return current_app.config["PORTAL_RATE_LIMIT"]


def _email_key() -> str:
    return "staff-login:" + request.form.get("email", "").strip().lower()[:320]


def login() -> ResponseReturnValue:
    """The sign-in form."""
    return render("staff/login.html", form=SignInForm())


@limiter.limit(_rate, methods=["POST"])
@limiter.limit(_rate, key_func=_email_key, methods=["POST"])
def sign_in_form() -> ResponseReturnValue:
    """Check the e-mail and password; the same answer for an unknown e-mail or a wrong one."""
    form = SignInForm()
    user = (
        authenticate(form.email.data or "", form.password.data or "") if form.validate() else None
    )
    if user is None:
        error = gettext("The e-mail address or the password is not right.")
        return render("staff/login.html", 401, form=SignInForm(formdata=None), error=error)
    session.clear()  # a new session on sign-in: nothing carried over from before
    sign_in(user)
    return redirect(url_for("staff_pages.queue"))


def logout() -> ResponseReturnValue:
    """Sign out: this cookie and every copy of it stop working."""
    sign_out()
    db.session.commit()
    return redirect(url_for("staff_pages.login"))


def register(bp: Blueprint) -> None:
    """Add the sign-in pages to the staff blueprint."""
    bp.add_url_rule("/login", view_func=login, methods=["GET"])
    bp.add_url_rule("/login", view_func=sign_in_form, methods=["POST"])
    bp.add_url_rule("/logout", view_func=logout, methods=["POST"])
