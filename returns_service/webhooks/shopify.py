"""Shopify webhooks: verified, de-duplicated, applied in order of the shop's own clock."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app
from flask.typing import ResponseReturnValue

from returns_service.errors import Conflict
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.orders import guards, operations
from returns_service.orders.schemas import ORDER_UPSERT, ShipmentSchema
from returns_service.orders.shopify import order_from_shopify, shipment_from_fulfillment
from returns_service.shop import shop_settings
from returns_service.webhooks.shopify_delivery import receive_delivery

log = logging.getLogger(__name__)
bp = Blueprint("shopify_webhooks", __name__)

ORDER_TOPICS = frozenset(
    {"orders/create", "orders/updated", "orders/cancelled", "orders/fulfilled", "orders/paid"}
)
FULFILLMENT_TOPICS = frozenset({"fulfillments/create", "fulfillments/update"})
ACTOR = "shopify"


@bp.post("/webhooks/shopify")
def receive_shopify_webhook() -> ResponseReturnValue:
    """Apply one Shopify order or fulfillment delivery (see the module docstring)."""
    handlers = dict.fromkeys(ORDER_TOPICS, _apply_order)
    handlers |= dict.fromkeys(FULFILLMENT_TOPICS, _apply_fulfillment)
    return receive_delivery(handlers, "order")


def _apply_order(payload: dict[str, Any]) -> str:
    data = ORDER_UPSERT.load(order_from_shopify(payload))
    external_id = str(payload.get("order", payload)["id"])

    def apply() -> str:
        _, outcome = operations.upsert_order(
            db.session, external_id, data, utcnow(), ACTOR, shop_settings(current_app)
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
            db.session,
            order,
            shipment,
            utcnow(),
            ACTOR,
            shop_settings(current_app),
            fulfils_order=True,
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
