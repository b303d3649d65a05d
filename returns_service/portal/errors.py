"""Every error a customer can meet on the portal, as a page in their language with a way on.

The API, the webhooks and the staff pages keep their own answers: each handler here answers
for the customer's pages and hands anything else to the handler registered before it.
Domain errors are shown by their ``code``, never by their English ``message``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask, current_app, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_timedelta, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from returns_service.errors import OUTAGES, RETRY_AFTER_SECONDS, DomainError, is_outage
from returns_service.extensions import limiter
from returns_service.pages import form_expired, page_context
from returns_service.returns.photos import megabytes

#: Paths whose errors are not the customer pages' to answer.
_NOT_PORTAL = ("/api", "/webhooks/", "/staff", "/static/", "/healthz", "/readyz")

#: Each status's heading and explanation on its page.
_PAGES: dict[int, tuple[Any, Any]] = {
    400: (_l("We could not read that request"), _l("Please open your order and try again.")),
    401: (_l("Please open your order again"), _l("For your security, the page has timed out.")),
    403: (_l("This page is not open to you"), _l("Please open your own order to continue.")),
    404: (
        _l("We could not find that page"),
        _l("The address may be mistyped, or the page belongs to another order."),
    ),
    409: (_l("This cannot be done now"), _l("Please open your order to see where it stands.")),
    413: (
        _l("What you sent is too large"),
        _l("Please send fewer or smaller photos and try again."),
    ),
    422: (_l("Please check what you entered"), _l("Something in the form could not be used.")),
    429: (_l("Too many attempts"), _l("Please wait a moment and try again.")),
    500: (
        _l("Something went wrong on our side"),
        _l("Nothing was changed. Please try again in a moment."),
    ),
    503: (
        _l("The service is briefly unavailable"),
        _l("Please try again in a few seconds."),
    ),
}

#: What each domain error code means to a customer.
_CODES: dict[str, Any] = {
    "session_lost": _l("Please open your order again."),
    "order_shipped": _l(
        "Your order has already left the warehouse, so it can no longer be cancelled. Once it "
        "has arrived, you can return it instead."
    ),
    "nothing_left": _l("Nothing is left to cancel on this order."),
    "too_many_units": _l("You can cancel at most %(left)s of this item."),
    "no_such_line": _l("This item is not on your order."),
    "flow_closed": _l("This cancellation has already been settled. Please start again."),
    "no_such_offer": _l("Please choose one of the offers shown."),
    "pause_length": _l("Please choose how many months to pause for."),
    "switch_product": _l("Please choose the product to switch to."),
    "no_subscription": _l("This order is not part of a subscription."),
    # Filing a return.
    "invalid_request": _l("Some answers could not be used. Please check the form."),
    "order_cancelled": _l("This order was cancelled, so there is nothing to return."),
    "too_many_to_return": _l("You can return at most %(left)s of this item."),
    "resolution_not_offered": _l(
        "This cannot be done for the items you chose. Please choose another way to be made whole."
    ),
    "pickup_required": _l("For the reason you chose, we collect the parcel: choose pickup."),
    "dropoff_required": _l(
        "For the reason you chose, please drop the parcel off: choose drop-off."
    ),
    "methods_differ": _l(
        "These items go back in different ways (one is collected, one is dropped off). "
        "Please send them as separate requests."
    ),
    "too_many_photos_line": _l("You can send at most %(most)s photos for one item."),
    "too_many_photos": _l("You can send at most %(most)s photos in one request."),
    "photo_without_line": _l("Photos can be sent only for items you are returning."),
    "photo_too_large": _l("Each photo may be at most %(max_mb)s MB. Please choose a smaller one."),
    "not_an_image": _l("Please choose a photo (JPEG, PNG, GIF or WebP)."),
    "too_many_pixels": _l("This photo is too large to read. Please choose a smaller one."),
    "no_replacement": _l("Please choose the replacement."),
    "replacement_not_on_sale": _l("This replacement is no longer sold. Please choose another."),
    "replacement_out_of_stock": _l(
        "Only %(available)s of this replacement are in stock. Please choose another."
    ),
    "replacement_out_of_scope": _l(
        "This replacement cannot be chosen for this item. Please choose another."
    ),
}


def domain_message(error: DomainError) -> str:
    """What a customer reads for a refused request: its code's words, else its status's."""
    text = _CODES.get(error.code)
    if text is not None:
        return str(text) % error.details
    return str(_PAGES.get(error.status.value, _PAGES[422])[1])


def error_page(status: int, text: str = "", **headers: str) -> ResponseReturnValue:
    """A portal page for ``status``, with a way back to the order (or to the start)."""
    title, explanation = _PAGES.get(status, _PAGES[400])
    if session.get("portal_token"):
        forward = (url_for("portal_pages.show_order"), gettext("Back to your order"))
    else:
        forward = (url_for("portal_pages.start"), gettext("Open your order"))
    html = render_template(
        "portal/error.html",
        **page_context(),
        status=status,
        title=title,
        text=text or explanation,
        forward_url=forward[0],
        forward_label=forward[1],
    )
    return html, status, headers


def _retry_after_seconds() -> int:
    current = limiter.current_limit
    if current is None:
        return 60
    return max(int(current.reset_at - time.time()), 1)


def _http_page(error: HTTPException) -> ResponseReturnValue:
    status = error.code or 500
    if isinstance(error, CSRFError):
        return error_page(400, form_expired())
    if status == 429:
        wait = _retry_after_seconds()
        when = format_timedelta(timedelta(seconds=wait), add_direction=True)
        text = gettext("Too many attempts in a short time. Please try again %(when)s.", when=when)
        return error_page(429, text, **{"Retry-After": str(wait)})
    if status == 413:
        limit = megabytes(current_app.config["MAX_PHOTO_BYTES"])
        text = gettext(
            "What you sent is too large. Each photo may be at most %(mb)s MB; please send "
            "fewer or smaller photos.",
            mb=limit,
        )
        return error_page(413, text)
    return error_page(status)


def _domain_page(error: DomainError) -> ResponseReturnValue:
    return error_page(error.status.value, domain_message(error))


def _outage_page(error: Exception) -> ResponseReturnValue:
    if not is_outage(error):
        raise error  # a real fault: the 500 page
    return error_page(503, **{"Retry-After": str(RETRY_AFTER_SECONDS)})


def _for_customers() -> bool:
    if request.path.startswith(_NOT_PORTAL):
        return False
    return request.accept_mimetypes.best != "application/json"


def _pages_first(
    app: Flask, kind: type[Exception], page: Callable[[Any], ResponseReturnValue]
) -> None:
    """Answer ``kind`` with ``page`` on the customer pages, as before everywhere else."""
    # Flask files handlers of an HTTP error class under its status code.
    code = kind.code if issubclass(kind, HTTPException) else None
    previous = app.error_handler_spec[None][code].get(kind)

    def handle(error: Any) -> ResponseReturnValue:
        if _for_customers():
            return page(error)
        return previous(error) if previous is not None else error

    app.register_error_handler(kind, handle)


def init_app(app: Flask) -> None:
    """Answer the customer pages' errors with pages; call after the API's handlers."""
    _pages_first(app, HTTPException, _http_page)
    _pages_first(app, RequestEntityTooLarge, _http_page)
    _pages_first(app, DomainError, _domain_page)
    for outage in OUTAGES:
        _pages_first(app, outage, _outage_page)
