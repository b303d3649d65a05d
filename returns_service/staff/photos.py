"""A return's photos for signed-in staff only, never from a public path.

The file is named by the return and its line, and must be one the line lists: no other
file in the upload folder can be reached. Photos were re-encoded when uploaded, so the
extension names their real type; the browser is told not to guess another.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, send_from_directory
from flask.typing import ResponseReturnValue

from returns_service.auth.staff_sessions import staff_required
from returns_service.errors import NotFound
from returns_service.extensions import db
from returns_service.returns import operations

#: The types re-encoding writes, by extension; anything else is not served.
PHOTO_TYPES = {"jpg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp"}


@staff_required()
def photo(rma: str, line_id: int, name: str) -> ResponseReturnValue:
    """One photo of a line of the return, as its image type, with ``nosniff``."""
    return_request = operations.get_return(db.session, rma)
    line = next((line for line in return_request.lines if line.id == line_id), None)
    kind = PHOTO_TYPES.get(name.rpartition(".")[2].lower())
    if line is None or name not in line.photos or kind is None:
        raise NotFound(f"no photo {name!r} on return {rma}")
    response = send_from_directory(
        Path(current_app.config["UPLOAD_DIR"]), name, mimetype=kind, max_age=0
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Disposition"] = "inline"
    return response


def register(bp: Blueprint) -> None:
    """Add the photo route to the staff blueprint."""
    bp.add_url_rule(
        "/returns/<rma>/lines/<int:line_id>/photos/<name>", view_func=photo, methods=["GET"]
    )
