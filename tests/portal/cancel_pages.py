"""Helpers of the cancellation page tests: orders to cancel, opening one in a client."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

from tests.cancellations.conftest import cancellable_document
from tests.shop import Shop

SUBSCRIPTION = "SUB-3001"


def csrf(page: str) -> str:
    """The form token of a page."""
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def put_cancellable(shop: Shop, external_id: str = "6001", **kwargs: Any) -> dict[str, Any]:
    """An order that has not shipped (``fulfillment_status`` says how far it got)."""
    response = shop.client.put(
        f"/api/v1/orders/{external_id}",
        json=cancellable_document(**kwargs),
        headers=shop.integration,
    )
    assert response.status_code in (200, 201), response.json
    return response.json


def put_subscription(shop: Shop, locale: str = "ja") -> dict[str, Any]:
    """Two monthly coffee orders of one subscription; returns the newer one."""
    return shop.put_subscription_orders(SUBSCRIPTION, locale=locale)


def open_order(
    client: FlaskClient, number: str = "#6001", contact: str = "hanako@example.jp", lang: str = "ja"
) -> str:
    """Open the order in the client's session; the order page."""
    start = client.get(f"/?lang={lang}").get_data(as_text=True)
    response = client.post(
        "/", data={"csrf": csrf(start), "order_number": number, "contact": contact}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return client.get("/order").get_data(as_text=True)
