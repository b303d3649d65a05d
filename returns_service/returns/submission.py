"""Filing a return from a request's body and uploads: the API's and the portal pages' path.

One place checks the body, takes the order's lock, answers a repeated Idempotency-Key with
the first answer, checks every photo before storing any, lets the rules decide, and
commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from marshmallow import ValidationError
from werkzeug.datastructures import FileStorage

from returns_service import idempotency
from returns_service.auth.tokens import Principal
from returns_service.errors import InvalidInput
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.orders.access import locked_order_for
from returns_service.returns import filing
from returns_service.returns.models import ReturnRequest
from returns_service.returns.photos import (
    Photo,
    check_counts,
    check_photo,
    remove_photos,
    store_photos,
)
from returns_service.returns.presenter import ReplyPromise, ReturnView, present
from returns_service.returns.schemas import ReturnCreateSchema, ReturnOut
from returns_service.shop import ShopSettings

#: Built once: a schema's fields (and its nested schemas') are set up when it is built.
_BODY = ReturnCreateSchema()
_ANSWER = ReturnOut()


def present_return(
    settings: ShopSettings,
    return_request: ReturnRequest,
    locale: str | None = None,
    *,
    filed_now: bool = False,
) -> ReturnView:
    """A return as its customer and staff see it, in the customer's language (or ``locale``);
    ``filed_now``: filed in this transaction (see :func:`present`)."""
    promise = ReplyPromise.for_request(return_request.created_at, settings)
    return present(
        db.session,
        return_request,
        locale or return_request.locale,
        settings.return_parcel_days,
        promise,
        filed_now=filed_now,
    )


def _stored_method(method: dict[str, Any]) -> dict[str, Any]:
    """The method as stored: JSON-friendly (dates as ISO strings)."""
    stored = {k: v for k, v in method.items() if v is not None}
    if stored.get("date") is not None:
        stored["date"] = stored["date"].isoformat()
    return stored


def submit_return(
    settings: ShopSettings,
    principal: Principal,
    body: dict[str, Any],
    uploads: dict[int, list[FileStorage]],
    key: str | None,
    kept: Mapping[int, list[Photo]] | None = None,
) -> tuple[dict[str, Any], int]:
    """File a return; returns the answer (as dumped JSON) and its HTTP status.

    ``kept`` are photos already checked (sent with a form that was refused), by line.
    """
    try:
        data = _BODY.load(body)
    except ValidationError as exc:
        raise InvalidInput(
            "the request is not valid", code="invalid_request", errors={"json": exc.messages}
        ) from None
    order = locked_order_for(principal, data.get("order_number"), *filing.ORDER_LOADING)
    # Looked up under the order's lock, so a request sent twice at once runs once.
    fingerprint = idempotency.request_fingerprint(body)
    scope = idempotency.caller_scope("return", principal)
    if stored := idempotency.replay(db.session, scope, key, fingerprint) if key else None:
        return stored
    config = settings.config
    kept = kept or {}
    every = {i: [*kept.get(i, []), *uploads.get(i, [])] for i in set(kept) | set(uploads)}
    check_counts(every, config["MAX_PHOTOS_PER_LINE"], config["MAX_PHOTOS_PER_REQUEST"])
    line_ids = {line["line_id"] for line in data["lines"]}
    strays = set(every) - line_ids
    if strays:
        raise InvalidInput(
            "photos must belong to a line of the request",
            field=f"photo_{min(strays)}",
            code="photo_without_line",
        )
    checked = {
        line_id: [
            *kept.get(line_id, []),
            *(
                check_photo(upload, config["MAX_PHOTO_BYTES"], f"photo_{line_id}")
                for upload in uploads.get(line_id, [])
            ),
        ]
        for line_id in every
    }
    for line in data["lines"]:
        line["photos"] = [photo.name for photo in checked.get(line["line_id"], [])]
    customer = order.customer
    locale = customer.locale if customer else settings.locale
    now = utcnow()
    # Decided first: a refused request (409, 422) leaves no file behind.
    return_request = filing.open_return(
        db.session,
        now,
        settings,
        order=order,
        lines=data["lines"],
        resolution=data["resolution"],
        method=_stored_method(data["method"]),
        actor=principal.actor,
        locale=locale,
    )
    db.session.flush()
    answer = _ANSWER.dump(present_return(settings, return_request, filed_now=True))
    if key:
        idempotency.remember(db.session, scope, key, fingerprint, answer, 201, now)
    written = store_photos(
        (photo for photos in checked.values() for photo in photos), Path(config["UPLOAD_DIR"])
    )
    try:
        db.session.commit()
    except BaseException:
        remove_photos(written)  # the return was not stored; neither are its photos
        raise
    return answer, 201
