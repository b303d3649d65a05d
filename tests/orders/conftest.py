"""Helpers for the order-ingestion tests: shared real payloads, row counts, an integration
token, and Shopify webhook deliveries posted and read back through the API."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from returns_service.auth.models import Role
from returns_service.orders.models import Customer, Order, OrderLine, Shipment
from tests.conftest import SHOPIFY_SECRET
from tests.orders.shopify import sign


@pytest.fixture
def shopify_secret() -> str:
    """The webhook secret the test app is configured with."""
    return SHOPIFY_SECRET


@pytest.fixture
def integration(token_for: Callable[[Role], dict[str, str]]) -> dict[str, str]:
    """The headers of an integration token, as a shop's own system sends its orders."""
    return token_for(Role.INTEGRATION)


@pytest.fixture
def count_rows(session: Session) -> Callable[[], dict[str, int]]:
    """Count the rows of the order tables, to show that a refused request wrote nothing."""

    def count() -> dict[str, int]:
        session.expire_all()
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Order, OrderLine, Shipment, Customer)
        }

    return count


@pytest.fixture
def deliver(client: FlaskClient, shopify_secret: str) -> Callable[..., Any]:
    """POST a webhook delivery as Shopify does: raw JSON body, signature, topic and id."""

    def post(
        topic: str,
        payload: Any = None,
        *,
        body: bytes | None = None,
        webhook_id: str | None = None,
        signature: str | None = None,
    ) -> Any:
        if body is None:
            body = json.dumps(payload, ensure_ascii=False).encode()
        headers = {
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": sign(body, shopify_secret) if signature is None else signature,
            "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
            "X-Shopify-Shop-Domain": "returns-demo.myshopify.com",
            "X-Shopify-API-Version": "2024-04",
        }
        if not headers["X-Shopify-Hmac-Sha256"]:
            del headers["X-Shopify-Hmac-Sha256"]
        return client.post(
            "/webhooks/shopify", data=body, headers=headers, content_type="application/json"
        )

    return post


@pytest.fixture
def read_order(client: FlaskClient, token_for: Callable[[Role], dict[str, str]]) -> Any:
    """GET an order through the API and boil it down to what ingestion decides."""
    headers = token_for(Role.AGENT)

    def read(external_id: str) -> dict[str, Any] | None:
        response = client.get(f"/api/v1/orders/{external_id}", headers=headers)
        if response.status_code == 404:
            return None
        assert response.status_code == 200, response.json
        body = response.json
        currency = body["currency"]
        for name in ("total", "shipping", "discount", "refunded"):
            assert body[name]["currency"] == currency
        return {
            "number": body["number"],
            "placed_at": body["placed_at"],
            "currency": currency,
            "financial_status": body["financial_status"],
            "fulfillment_status": body["fulfillment_status"],
            "source": body["source"],
            "payment": body["payment"],
            "cancelled_at": body["cancelled_at"],
            "total": body["total"]["amount"],
            "shipping": body["shipping"]["amount"],
            "discount": body["discount"]["amount"],
            "refunded": body["refunded"]["amount"],
            "customer": (body["customer"]["external_id"], body["customer"]["email"]),
            "country": body["shipping_address"].get("country"),
            "lines": [
                (
                    line["external_id"],
                    line["sku"],
                    line["title"],
                    line["quantity"],
                    line["unit_price"]["amount"],
                    line["discount"]["amount"],
                )
                for line in body["lines"]
            ],
            "shipments": [
                {key: shipment[key] for key in ("external_id", "carrier", "tracking_number")}
                | {"status": shipment["status"], "lines": shipment["lines"]}
                for shipment in body["shipments"]
            ],
        }

    return read
