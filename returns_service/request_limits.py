"""Limits every request meets before a view reads it: body size by kind, ids within range,
no NUL in the path.

A body too large is refused with 413 from its ``Content-Length`` before anything parses it
(and while reading, for a body sent without one); the answer is JSON for the API and the
webhooks, a short page elsewhere. Integer ids in paths beyond the columns' range answer 404,
like any id that does not exist.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import NotFound, RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

from returns_service.errors import error_body
from returns_service.schemas import MAX_ID

#: Room for a multipart request's form fields beside its photos.
_FORM_ALLOWANCE = 1024 * 1024


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` limited to the 32-bit columns ids live in: larger ids match no route."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def multipart_limit(config: dict[str, Any]) -> int:
    """The largest multipart body: every photo a request may carry, at full size."""
    return config["MAX_PHOTOS_PER_REQUEST"] * config["MAX_PHOTO_BYTES"] + _FORM_ALLOWANCE


def _limit_for(config: dict[str, Any]) -> int:
    if request.mimetype == "multipart/form-data":
        return multipart_limit(config)
    return config["MAX_JSON_BYTES"]


def _check_request() -> None:
    limit = _limit_for(current_app.config)
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge(f"the request body is larger than {limit} bytes")
    path_values = (request.view_args or {}).values()
    if any(isinstance(value, str) and "\x00" in value for value in path_values):
        raise NotFound()  # PostgreSQL cannot even compare such a value


def _too_large(error: RequestEntityTooLarge) -> tuple[Response | str, int]:
    message = error.description or "the request body is too large"
    if request.path.startswith(("/api/", "/webhooks/")) or request.is_json:
        return jsonify(error_body(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, message)), 413
    return (
        "<!doctype html><title>413</title><p>送信された内容が大きすぎます。"
        "写真の枚数や大きさを減らしてもう一度お試しください。</p>"
        "<p>What you sent is too large: send fewer or smaller photos.</p>",
        413,
    )


def init_app(app: Flask) -> None:
    """Install the converter (before any route is added), the checks and the 413 answer."""
    app.url_map.converters["int"] = BoundedIntConverter
    # A ceiling for anything that reads the body before the checks below run.
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = multipart_limit(app.config)
    app.before_request_funcs.setdefault(None, []).insert(0, _check_request)
    app.register_error_handler(RequestEntityTooLarge, _too_large)
