"""Cases of every kind for the staff page tests, made through the API as customers do."""

from __future__ import annotations

import io
import json
from typing import Any

from PIL import Image

from tests.cancellations.conftest import Cancellations
from tests.shop import Shop


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
    shop.put_subscription_orders(reference)
    customer = shop.customer(f"#{reference}-2")
    response = shop.client.post(
        f"/api/v1/subscriptions/{reference}/cancellation",
        json={"reason": "too_much_product"},
        headers=customer,
    )
    assert response.status_code in (200, 201), response.json
    return response.json
