"""Shopify webhooks: verified, de-duplicated, applied in order of the shop's own clock."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from returns_service.errors import Conflict, error_body
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.orders import guards, operations
from returns_service.orders.models import (
    WebhookReceipt,
)
from returns_service.orders.schemas import OrderUpsertSchema, ShipmentSchema
from returns_service.orders.shopify import (
    order_from_shopify,
    shipment_from_fulfillment,
    verify_hmac,
)

log = logging.getLogger(__name__)
bp = Blueprint("shopify_webhooks", __name__)

ORDER_TOPICS = frozenset(
    {"orders/create", "orders/updated", "orders/cancelled", "orders/fulfilled", "orders/paid"}
)
FULFILLMENT_TOPICS = frozenset({"fulfillments/create", "fulfillments/update"})
ACTOR = "shopify"


def _error(status: HTTPStatus, message: str, errors: Any = None) -> ResponseReturnValue:
    return jsonify(error_body(status, message, errors)), status.value


@bp.post("/webhooks/shopify")
def receive_shopify_webhook() -> ResponseReturnValue:
    """Apply one Shopify webhook delivery (see the module docstring)."""
    body = request.get_data(cache=False)
    secret = current_app.config["SHOPIFY_WEBHOOK_SECRET"]
    if not verify_hmac(secret, body, request.headers.get("X-Shopify-Hmac-Sha256")):
        return _error(
            HTTPStatus.UNAUTHORIZED, "the X-Shopify-Hmac-Sha256 signature does not match the body"
        )
    topic = request.headers.get("X-Shopify-Topic", "")
    if topic not in ORDER_TOPICS | FULFILLMENT_TOPICS:
        log.info("ignored Shopify webhook with topic %r", topic)
        return jsonify(status="ignored", topic=topic)
    try:
        payload = json.loads(body)
    except ValueError as exc:
        return _error(HTTPStatus.UNPROCESSABLE_ENTITY, f"the body is not JSON: {exc}")
    if not isinstance(payload, dict):
        return _error(HTTPStatus.UNPROCESSABLE_ENTITY, "the body must be a JSON object")
    delivery_id = request.headers.get("X-Shopify-Webhook-Id")
    if delivery_id and _already_received(delivery_id):
        return jsonify(status="duplicate")
    try:
        if topic in ORDER_TOPICS:
            result = _apply_order(payload)
        else:
            result = _apply_fulfillment(payload)
    except ValidationError as exc:
        db.session.rollback()
        return _error(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "the payload does not describe a valid order",
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
    except IntegrityError:  # the same delivery, applied by a parallel request
        db.session.rollback()
        return jsonify(status="duplicate")
    return jsonify(status=result, topic=topic)


def _already_received(delivery_id: str) -> bool:
    query = select(WebhookReceipt.id).where(
        WebhookReceipt.source == "shopify", WebhookReceipt.delivery_id == delivery_id
    )
    return db.session.scalar(query) is not None


def _apply_order(payload: dict[str, Any]) -> str:
    data = OrderUpsertSchema().load(order_from_shopify(payload))
    external_id = str(payload.get("order", payload)["id"])

    def apply() -> str:
        _, outcome = operations.upsert_order(
            db.session, external_id, data, utcnow(), ACTOR, current_app.config
        )
        return outcome

    return _unless_refused(apply)


def _apply_fulfillment(payload: dict[str, Any]) -> str:
    fulfillment = payload.get("fulfillment", payload)
    order = operations.find_order(db.session, str(fulfillment["order_id"]), lock=True)
    if order is None:
        # The order's own webhook carries its fulfillments too; nothing is lost.
        log.info("fulfillment for unknown Shopify order %s ignored", fulfillment["order_id"])
        return "ignored"
    document = shipment_from_fulfillment(fulfillment)
    if document is None:
        return "ignored"
    shipment = ShipmentSchema().load(document)

    def apply() -> str:
        operations.upsert_shipment(
            db.session, order, shipment, utcnow(), ACTOR, current_app.config, fulfils_order=True
        )
        return "updated"

    return _unless_refused(apply)


def _unless_refused(apply: Callable[[], str]) -> str:
    """Apply an update; "refused" when the order's guards refuse it.

    Shopify is answered 200 even then (it would retry a refusal for days): the update is
    not applied, and the refusal is put where staff see it.
    """
    try:
        return apply()
    except Conflict as exc:
        db.session.rollback()
        guards.note_refused(db.session, utcnow(), exc, actor=ACTOR)
        log.warning("Shopify update refused: %s", exc.message)
        return "refused"
