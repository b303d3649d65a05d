"""Protection of the pages' forms: a per-session token every form carries and every POST checks."""

from __future__ import annotations

import secrets

from flask import abort, request, session


def csrf_token() -> str:
    """The session's form token, made on first use."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def check_csrf() -> None:
    """Refuse (400) a form that does not carry the session's token."""
    sent = request.form.get("csrf", "")
    if not sent or not secrets.compare_digest(sent, session.get("csrf", "")):
        abort(400, description="the form has expired; please open the page again")
