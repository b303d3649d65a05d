"""Documenting the API's operations: who may call them and which errors they answer."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

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
