"""Shopify's product and stock webhooks: verified and de-duplicated like the order webhooks.

Subscribe ``products/create``, ``products/update``, ``products/delete`` and
``inventory_levels/update`` to ``/webhooks/shopify/catalogue``. The order webhooks keep
their own address; each address answers its own topics.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app
from flask.typing import ResponseReturnValue

from returns_service.catalogue import operations
from returns_service.catalogue.schemas import ProductUpsertSchema
from returns_service.catalogue.shopify import level_from_shopify, product_from_shopify
from returns_service.errors import NotFound
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.webhooks.shopify_delivery import receive_delivery

bp = Blueprint("shopify_catalogue_webhooks", __name__)

PRODUCT_TOPICS = frozenset({"products/create", "products/update"})


@bp.post("/webhooks/shopify/catalogue")
def receive_catalogue_webhook() -> ResponseReturnValue:
    """Apply one Shopify product or stock delivery (see the module docstring)."""
    handlers = dict.fromkeys(PRODUCT_TOPICS, _put_product)
    handlers["products/delete"] = _delete_product
    handlers["inventory_levels/update"] = _report_level
    return receive_delivery(handlers, "product")


def _put_product(payload: dict[str, Any]) -> str:
    product = payload.get("product", payload)
    document = product_from_shopify(product, current_app.config["CURRENCY"])
    data = ProductUpsertSchema().load(document)
    _, outcome = operations.upsert_product(db.session, str(product["id"]), data, utcnow())
    return outcome


def _delete_product(payload: dict[str, Any]) -> str:
    try:
        operations.delete_product(db.session, str(payload["id"]), utcnow())
    except NotFound:
        return "ignored"  # never seen: nothing to withdraw
    return "deleted"


def _report_level(payload: dict[str, Any]) -> str:
    return operations.report_level(db.session, level_from_shopify(payload))
