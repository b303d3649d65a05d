"""Shopify's product and stock webhooks: verified and de-duplicated like the order webhooks.

Subscribe ``products/create``, ``products/update``, ``products/delete`` and
``inventory_levels/update`` to ``/webhooks/shopify/catalogue``. The order webhooks keep
their own address; each address answers its own topics.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError

from returns_service.catalogue import operations
from returns_service.catalogue.schemas import ProductUpsertSchema
from returns_service.catalogue.shopify import level_from_shopify, product_from_shopify
from returns_service.errors import NotFound, error_body
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.orders.models import WebhookReceipt
from returns_service.orders.shopify import verify_hmac

log = logging.getLogger(__name__)
bp = Blueprint("shopify_catalogue_webhooks", __name__)

PRODUCT_TOPICS = frozenset({"products/create", "products/update"})
TOPICS = PRODUCT_TOPICS | {"products/delete", "inventory_levels/update"}


def _error(status: HTTPStatus, message: str, errors: Any = None) -> ResponseReturnValue:
    return jsonify(error_body(status, message, errors)), status.value


@bp.post("/webhooks/shopify/catalogue")
def receive_catalogue_webhook() -> ResponseReturnValue:
    """Apply one Shopify product or stock delivery (see the module docstring)."""
    body = request.get_data(cache=False)
    secret = current_app.config["SHOPIFY_WEBHOOK_SECRET"]
    if not verify_hmac(secret, body, request.headers.get("X-Shopify-Hmac-Sha256")):
        return _error(
            HTTPStatus.UNAUTHORIZED, "the X-Shopify-Hmac-Sha256 signature does not match the body"
        )
    topic = request.headers.get("X-Shopify-Topic", "")
    if topic not in TOPICS:
        log.info("ignored Shopify catalogue webhook with topic %r", topic)
        return jsonify(status="ignored", topic=topic)
    try:
        payload = json.loads(body)
    except ValueError as exc:
        return _error(HTTPStatus.UNPROCESSABLE_ENTITY, f"the body is not JSON: {exc}")
    if not isinstance(payload, dict):
        return _error(HTTPStatus.UNPROCESSABLE_ENTITY, "the body must be a JSON object")
    delivery_id = request.headers.get("X-Shopify-Webhook-Id")
    try:
        result = _apply(topic, payload)
    except ValidationError as exc:
        db.session.rollback()
        return _error(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "the payload does not describe a valid product",
            {"json": exc.messages},
        )
    except (KeyError, TypeError, ValueError) as exc:
        db.session.rollback()
        return _error(
            HTTPStatus.UNPROCESSABLE_ENTITY, f"the payload is missing or has a bad field: {exc}"
        )
    if delivery_id:
        db.session.add(
            WebhookReceipt(
                source="shopify", delivery_id=delivery_id, topic=topic, received_at=utcnow()
            )
        )
    try:
        db.session.commit()
    except IntegrityError:  # a delivery seen before: its receipt exists, this one undone
        db.session.rollback()
        return jsonify(status="duplicate")
    return jsonify(status=result, topic=topic)


def _apply(topic: str, payload: dict[str, Any]) -> str:
    now = utcnow()
    if topic in PRODUCT_TOPICS:
        product = payload.get("product", payload)
        document = product_from_shopify(product, current_app.config["CURRENCY"])
        data = ProductUpsertSchema().load(document)
        _, outcome = operations.upsert_product(db.session, str(product["id"]), data, now)
        return outcome
    if topic == "products/delete":
        try:
            operations.delete_product(db.session, str(payload["id"]), now)
        except NotFound:
            return "ignored"  # never seen: nothing to withdraw
        return "deleted"
    return operations.report_level(db.session, level_from_shopify(payload))
