"""Helpers for the catalogue tests: Shopify's product payloads, signed deliveries, counts."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from returns_service.inventory.models import StockItem
from tests.conftest import SHOPIFY_SECRET, shared_payload

PRODUCTS = (
    "shopify_api_js_2024-04__products_create_with_variants_and_get__request_response_pairs.json"
)
LEVELS = (
    "shopify_api_js_2024-04__inventory_levels_list_adjust_connect_set_delete"
    "__request_response_pairs.json"
)
ITEMS = "shopify_api_js_2024-04__inventory_items__request_response_pairs.json"
LEVEL = "go_shopify__inventory_level.json"


def shopify_exchange(name: str, source_test: str) -> dict[str, Any]:
    """One request/response pair of a shared Shopify fixture, by its source test."""
    return next(pair for pair in shared_payload(name) if pair["source_test"] == source_test)


def shopify_product(source_test: str) -> dict[str, Any]:
    """The bare product object a ``products/*`` webhook carries (no ``product`` wrapper)."""
    return shopify_exchange(PRODUCTS, source_test)["response"]["product"]


def sign(body: bytes, secret: str = SHOPIFY_SECRET) -> str:
    """Shopify's ``X-Shopify-Hmac-Sha256`` of a body."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


@pytest.fixture
def deliver(client: FlaskClient) -> Callable[..., Any]:
    """POST a catalogue webhook as Shopify does: raw JSON body, signature, topic and id."""

    def post(
        topic: str,
        payload: Any,
        *,
        webhook_id: str | None = None,
        signature: str | None = None,
    ) -> Any:
        body = json.dumps(payload, ensure_ascii=False).encode()
        headers = {
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": sign(body) if signature is None else signature,
            "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
            "X-Shopify-API-Version": "2024-04",
        }
        return client.post(
            "/webhooks/shopify/catalogue",
            data=body,
            headers=headers,
            content_type="application/json",
        )

    return post


@pytest.fixture
def stock_of(session: Session) -> Callable[[str], tuple[int, int] | None]:
    """A SKU's (on hand, reserved), or None where it has no stock row."""

    def read(sku: str) -> tuple[int, int] | None:
        session.expire_all()
        item = session.get(StockItem, sku)
        return None if item is None else (item.on_hand, item.reserved)

    return read
