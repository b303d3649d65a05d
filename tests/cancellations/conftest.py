"""Fixtures for cancellation tests: orders in each warehouse state, the warehouse system
listening on loopback, and helpers to cancel through the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.cancellations.partners import WebhookReceiver
from tests.shop import Shop, order_document

WAREHOUSE_EVENTS = ["order.stop_requested", "order.cancelled", "cancellation.refused"]
WAREHOUSE_ENDPOINT_SECRET = "warehouse-endpoint-secret"


def cancellable_document(
    *,
    number: str = "#6001",
    fulfillment_status: str = "unfulfilled",
    currency: str = "JPY",
    lines: list[dict[str, Any]] | None = None,
    shipping: int = 0,
    discount: int = 0,
    refunded: int = 0,
    email_address: str = "hanako@example.jp",
    locale: str = "ja",
    **extra: Any,
) -> dict[str, Any]:
    """A paid order that has not shipped, with its total worked out from its parts."""
    document = order_document(
        number=number,
        currency=currency,
        lines=lines,
        delivered_days_ago=None,
        email_address=email_address,
        locale=locale,
    )
    goods = sum(
        line["unit_price"]["amount"] * line["quantity"]
        - (line.get("discount") or {"amount": 0})["amount"]
        for line in document["lines"]
    )
    unallocated = max(
        discount
        - sum((line.get("discount") or {"amount": 0})["amount"] for line in document["lines"]),
        0,
    )
    document |= {
        "fulfillment_status": fulfillment_status,
        "shipping": {"amount": shipping, "currency": currency},
        "discount": {"amount": discount, "currency": currency},
        "refunded": {"amount": refunded, "currency": currency},
        "total": {"amount": goods - unallocated + shipping, "currency": currency},
    }
    return document | extra


class Cancellations:
    """Drives cancellations through the API as the shop, the customer and the warehouse."""

    def __init__(self, shop: Shop) -> None:
        self.shop = shop
        self.client: FlaskClient = shop.client

    def put_order(self, external_id: str = "6001", **kwargs: Any) -> dict[str, Any]:
        response = self.client.put(
            f"/api/v1/orders/{external_id}",
            json=cancellable_document(**kwargs),
            headers=self.shop.integration,
        )
        assert response.status_code in (200, 201), response.json
        return response.json

    def customer(self, order: dict[str, Any]) -> dict[str, str]:
        return self.shop.customer(order["number"], order["customer"]["email"])

    def cancel(
        self,
        headers: dict[str, str],
        lines: list[dict[str, Any]] | None = None,
        reason: str = "CHANGED_MIND",
        key: str | None = None,
        **extra: Any,
    ) -> Any:
        body: dict[str, Any] = {"reason": reason, **extra}
        if lines is not None:
            body["lines"] = lines
        more = {"Idempotency-Key": key} if key else {}
        return self.client.post("/api/v1/cancellations", json=body, headers=headers | more)

    def get(self, cancellation_id: int) -> dict[str, Any]:
        response = self.client.get(
            f"/api/v1/cancellations/{cancellation_id}", headers=self.shop.agent
        )
        assert response.status_code == 200, response.json
        return response.json

    def answer(self, cancellation_id: int, stopped: bool, headers: dict[str, str] | None = None):
        return self.client.post(
            f"/api/v1/cancellations/{cancellation_id}/warehouse-result",
            json={"stopped": stopped},
            headers=headers if headers is not None else self.shop.integration,
        )

    def ship(self, external_id: str, order: dict[str, Any], status: str = "in_transit") -> Any:
        return self.client.post(
            f"/api/v1/orders/{external_id}/shipments",
            json={
                "external_id": "S1",
                "carrier": "yamato",
                "tracking_number": "400011112222",
                "status": status,
                "lines": [
                    {"line_id": line["external_id"], "quantity": line["quantity"]}
                    for line in order["lines"]
                ],
            },
            headers=self.shop.integration,
        )


@pytest.fixture
def cancellations(shop: Shop) -> Cancellations:
    """The cancellation driver."""
    return Cancellations(shop)


@pytest.fixture
def warehouse(httpserver: HTTPServer, session: Session) -> WebhookReceiver:
    """The warehouse system, subscribed to stop requests and cancellations."""
    return WebhookReceiver.register(
        httpserver, session, "/warehouse/events", WAREHOUSE_ENDPOINT_SECRET, WAREHOUSE_EVENTS
    )


@pytest.fixture
def count(session: Session) -> Callable[[type], int]:
    """How many rows a model has now."""

    def rows(model: type) -> int:
        session.expire_all()
        return session.scalar(select(func.count()).select_from(model))

    return rows


def kinds(timeline: list[dict[str, Any]]) -> list[str]:
    """The kinds of a timeline's events, oldest first."""
    return [event["kind"] for event in timeline]
