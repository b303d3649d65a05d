"""Domain errors and the one JSON shape every API error answers with."""

from __future__ import annotations

import logging
from datetime import datetime
from http import HTTPStatus
from typing import Any

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError


class DomainError(Exception):
    """An error a caller can act on; carries the HTTP status it maps to.

    ``code`` names the error for pages, which answer in the reader's language instead of
    showing ``message`` (English, for API callers and logs).
    """

    status = HTTPStatus.UNPROCESSABLE_ENTITY

    def __init__(
        self, message: str, *, field: str | None = None, code: str = "", **details: Any
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
        self.details = details


class NotFound(DomainError):
    """The thing asked for does not exist (or the caller may not know it does)."""

    status = HTTPStatus.NOT_FOUND


class Conflict(DomainError):
    """The request is well-formed but the current state does not allow it."""

    status = HTTPStatus.CONFLICT


class InvalidInput(DomainError):
    """A value is wrong; ``field`` names which."""

    status = HTTPStatus.UNPROCESSABLE_ENTITY


class Unauthorized(DomainError):
    """No valid credentials."""

    status = HTTPStatus.UNAUTHORIZED


class Forbidden(DomainError):
    """Valid credentials without the right to do this."""

    status = HTTPStatus.FORBIDDEN


class PermanentJobError(Exception):
    """A job failed in a way another attempt cannot fix; it goes straight to failed."""


class RetryUntilError(Exception):
    """A job failed in a way that may pass; it is retried with backoff until ``give_up_at``,
    however many attempts that takes (a partner down for maintenance for hours)."""

    def __init__(self, message: str, *, give_up_at: datetime) -> None:
        super().__init__(message)
        self.give_up_at = give_up_at


def error_body(status: HTTPStatus, message: str, errors: Any = None, **extra: Any) -> dict:
    """The error shape shared with flask-smorest: code, status, message and field errors."""
    body: dict[str, Any] = {"code": status.value, "status": status.phrase, "message": message}
    if errors:
        body["errors"] = errors
    body.update(extra)
    return body


def _domain_error(error: DomainError) -> ResponseReturnValue:
    details = dict(error.details)
    errors = details.pop("errors", None)
    if errors is None and error.field:
        errors = {"json": {error.field: [error.message]}}
    body = error_body(error.status, error.message, errors, **details)
    return jsonify(body), error.status.value


#: Seconds a client is asked to wait while the database or Redis is unreachable.
RETRY_AFTER_SECONDS = 10


def is_outage(error: Exception) -> bool:
    """The database or Redis is unreachable (not a bad statement, which is a real 500)."""
    if isinstance(error, DBAPIError):
        return error.connection_invalidated or isinstance(error, (OperationalError, InterfaceError))
    return True


def _unavailable(error: Exception) -> ResponseReturnValue:
    """503 with ``Retry-After`` while a backing service is away: JSON for the API, text else."""
    if not is_outage(error):
        raise error  # a bad statement, not an outage: a real 500
    part = "database" if isinstance(error, DBAPIError) else "queue"
    logging.getLogger(__name__).warning("answering 503, the %s is unreachable: %s", part, error)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    message = "The service is briefly unavailable; please try again in a few seconds."
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        status = HTTPStatus.SERVICE_UNAVAILABLE
        return jsonify(error_body(status, message)), status.value, headers
    page = (
        f"ただいま一時的にご利用いただけません。しばらくしてから再度お試しください。\n\n{message}\n"
    )
    return page, 503, {**headers, "Content-Type": "text/plain; charset=utf-8"}


#: The exceptions that mean a backing service is away (see :func:`is_outage`).
OUTAGES = (DBAPIError, RedisConnectionError, RedisTimeoutError)


def register_error_handlers(app: Flask) -> None:
    """Answer domain errors in the API's JSON error shape, outages with 503."""
    app.register_error_handler(DomainError, _domain_error)
    for outage in OUTAGES:
        app.register_error_handler(outage, _unavailable)
