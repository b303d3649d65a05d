"""The photos of a refused return form, kept for the portal session that sent them.

The form's submission id names the folder; the session lists the ids it sent, so no other
session can see or file another's photos, even knowing the id.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, send_file, session
from flask.typing import ResponseReturnValue

from returns_service.errors import NotFound
from returns_service.returns.pending_photos import PendingPhotos, valid_submission

#: The session's key for the submission ids whose photos it may use.
_OWNED = "pending_forms"
#: How many forms' photos a session keeps a claim on (the newest).
_MOST_FORMS = 5


def _pending(submission: str) -> PendingPhotos:
    return PendingPhotos(Path(current_app.config["UPLOAD_DIR"]), submission)


def owned(submission: str | None) -> PendingPhotos | None:
    """The kept photos of this session's form ``submission``; None if it is not its own."""
    if not valid_submission(submission) or submission not in session.get(_OWNED, []):
        return None
    return _pending(str(submission))


def claim(submission: str | None) -> PendingPhotos | None:
    """This session's kept photos of the form ``submission``, claimed on first use; None if
    the id cannot name a folder or another session's form uses it."""
    if found := owned(submission):
        return found
    if not valid_submission(submission):
        return None
    pending = _pending(str(submission))
    if pending.folder.exists():
        return None
    session[_OWNED] = [*session.get(_OWNED, []), submission][-_MOST_FORMS:]
    return pending


def kept_photo(submission: str, name: str) -> ResponseReturnValue:
    """A kept photo's thumbnail, for the session that sent it only."""
    pending = owned(submission)
    path = pending.file(name) if pending else None
    if path is None:
        raise NotFound(f"no kept photo {name!r}")
    response = send_file(path, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def register(bp: Blueprint) -> None:
    """Add the kept photos' route to the portal's pages."""
    bp.add_url_rule("/returns/kept/<submission>/<name>", view_func=kept_photo, methods=["GET"])
