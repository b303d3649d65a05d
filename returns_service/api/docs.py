"""Documenting the API's operations: who may call them and which errors they answer."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import flask
import swagger_ui_bundle
from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint

#: Every operation that needs a token declares it this way in the OpenAPI document.
SECURITY = [{"bearerAuth": []}]
#: Operations that honour ``Idempotency-Key`` declare the header.
IDEMPOTENCY_HEADER = {"in": "header", "name": "Idempotency-Key", "schema": {"type": "string"}}

F = Callable[..., Any]


def documented_errors(blp: Blueprint, errors: Iterable[tuple[int, str]]) -> Callable[[F], F]:
    """A decorator adding bearer-token security and these error answers to an operation."""
    errors = tuple(errors)

    def decorate(func: F) -> F:
        for status, description in errors:
            func = blp.alt_response(status, description=description)(func)
        return blp.doc(security=SECURITY)(func)

    return decorate


#: Swagger UI's scripts and styles, served from the installed package: the documentation
#: page works without network (``OPENAPI_SWAGGER_UI_URL`` points here).
assets = flask.Blueprint("swagger_ui_assets", __name__)
ASSETS_URL = "/api/docs/assets/"


@assets.get(ASSETS_URL + "<path:filename>")
def swagger_ui_asset(filename: str) -> ResponseReturnValue:
    """One file of the Swagger UI bundle."""
    return flask.send_from_directory(swagger_ui_bundle.swagger_ui_path, filename, max_age=86400)
