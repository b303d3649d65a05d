"""One Shopify webhook delivery: verified, parsed, applied once, answered in one JSON shape.

The order and the catalogue webhooks differ only in the topics they apply; everything
around that (the HMAC, the JSON, the delivery id, the answers) is here.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any

from flask import current_app, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError

from returns_service.errors import error_body
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.orders.deliveries import already_received, first_delivery
from returns_service.orders.shopify import verify_hmac

log = logging.getLogger(__name__)

SOURCE = "shopify"
#: Applies one topic's payload in the request's transaction; returns what happened.
TopicHandler = Callable[[dict[str, Any]], str]


def _error(status: HTTPStatus, message: str, errors: Any = None) -> ResponseReturnValue:
    return jsonify(error_body(status, message, errors)), status.value


def receive_delivery(handlers: Mapping[str, TopicHandler], what: str) -> ResponseReturnValue:
    """Apply the request's delivery with the handler of its topic; ``what`` names the payload.

    A delivery whose topic has no handler is answered "ignored"; one seen before,
    "duplicate". A payload that does not describe ``what`` answers 422 and is not recorded,
    so Shopify's retry is applied once it is fixed.
    """
    body = request.get_data(cache=False)
    secret = current_app.config["SHOPIFY_WEBHOOK_SECRET"]
    if not verify_hmac(secret, body, request.headers.get("X-Shopify-Hmac-Sha256")):
        return _error(
            HTTPStatus.UNAUTHORIZED, "the X-Shopify-Hmac-Sha256 signature does not match the body"
        )
    topic = request.headers.get("X-Shopify-Topic", "")
    handler = handlers.get(topic)
    if handler is None:
        log.info("ignored Shopify webhook with topic %r", topic)
        return jsonify(status="ignored", topic=topic)
    try:
        payload = json.loads(body)
    except ValueError as exc:
        return _error(HTTPStatus.UNPROCESSABLE_ENTITY, f"the body is not JSON: {exc}")
    if not isinstance(payload, dict):
        return _error(HTTPStatus.UNPROCESSABLE_ENTITY, "the body must be a JSON object")
    delivery_id = request.headers.get("X-Shopify-Webhook-Id")
    if delivery_id and already_received(db.session, SOURCE, delivery_id):
        return jsonify(status="duplicate")
    try:
        result = handler(payload)
    except ValidationError as exc:
        db.session.rollback()
        return _error(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            f"the payload does not describe a valid {what}",
            {"json": exc.messages},
        )
    except (KeyError, TypeError, ValueError) as exc:
        db.session.rollback()
        return _error(
            HTTPStatus.UNPROCESSABLE_ENTITY, f"the payload is missing or has a bad field: {exc}"
        )
    if delivery_id and not first_delivery(db.session, SOURCE, delivery_id, topic, utcnow()):
        db.session.rollback()  # the same delivery, applied by a parallel request
        return jsonify(status="duplicate")
    db.session.commit()
    return jsonify(status=result, topic=topic)
