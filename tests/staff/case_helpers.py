"""Cases of every kind for the staff page tests, made through the API as customers do."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

from PIL import Image

from returns_service.models import utcnow
from tests.cancellations.conftest import Cancellations
from tests.shop import Shop, order_document


def png() -> bytes:
    """A small red PNG, as a phone would send it."""
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def return_with_photo(shop: Shop, number: str = "#5001", external_id: str = "5001") -> str:
    """A return of the kettle (high value: in review) with one photo; its RMA."""
    order = shop.put_order(external_id, number=number)
    line = shop.line_id(order, "L4")
    payload = json.dumps(
        {
            "lines": [{"line_id": line, "quantity": 1, "reason": "DEFECTIVE"}],
            "resolution": "refund",
            "method": {"type": "dropoff"},
        }
    )
    response = shop.client.post(
        "/api/v1/returns",
        headers=shop.customer(number),
        data={"payload": payload, f"photo_{line}": (io.BytesIO(png()), "dent.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.json
    return response.json["rma"]


def pending_stop(shop: Shop, external_id: str = "6001", number: str = "#6001") -> dict[str, Any]:
    """A packed order the customer cancels: the warehouse is asked to stop it."""
    cancellations = Cancellations(shop)
    order = cancellations.put_order(external_id, number=number, fulfillment_status="packed")
    response = cancellations.cancel(cancellations.customer(order))
    assert response.status_code == 201, response.json
    assert response.json["status"] == "pending_stop"
    return response.json


def subscription_flow(shop: Shop, reference: str = "SUB-1") -> dict[str, Any]:
    """A subscriber who wants to stop because they have too much coffee: offers shown."""
    for number, days_ago in ((1, 40), (2, 10)):
        document = _subscription_order(f"#{reference}-{number}", days_ago, reference)
        response = shop.client.put(
            f"/api/v1/orders/{reference}-{number}", json=document, headers=shop.integration
        )
        assert response.status_code == 201, response.json
    customer = shop.customer(f"#{reference}-2")
    response = shop.client.post(
        f"/api/v1/subscriptions/{reference}/cancellation",
        json={"reason": "too_much_product"},
        headers=customer,
    )
    assert response.status_code in (200, 201), response.json
    return response.json


def _subscription_order(number: str, days_ago: int, reference: str) -> dict[str, Any]:
    document = order_document(
        number=number,
        delivered_days_ago=days_ago - 5,
        lines=[
            {
                "external_id": "L1",
                "sku": "COFFEE-SUB",
                "title": "スペシャルティコーヒー定期便",
                "quantity": 1,
                "unit_price": {"amount": 3600, "currency": "JPY"},
            }
        ],
    )
    return document | {
        "placed_at": (utcnow() - timedelta(days=days_ago)).isoformat(),
        "subscription_reference": reference,
    }
