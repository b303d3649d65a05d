"""The first deliveries of a new Shopify order, arriving together: never a 500, one order."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from tests.orders.shopify import CREATED_FULFILLED, CountRows, sign


def _order(shared_json: Callable[[str], Any]) -> dict[str, Any]:
    document = shared_json(CREATED_FULFILLED)
    return document.get("response", document).get("order", document)


def _post_together(url: str, bodies: list[tuple[bytes, dict[str, str]]]) -> list[int]:
    barrier = threading.Barrier(len(bodies))

    def post(item: tuple[bytes, dict[str, str]]) -> int:
        body, headers = item
        barrier.wait(timeout=10)
        return requests.post(url, data=body, headers=headers, timeout=30).status_code

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(post, bodies))


def _headers(body: bytes, secret: str, webhook_id: str, topic: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": sign(body, secret),
        "X-Shopify-Webhook-Id": webhook_id,
    }


def test_the_same_first_delivery_ten_times_at_once_makes_one_order(
    live_server: str, shared_json: Callable[[str], Any], shopify_secret: str, count_rows: CountRows
) -> None:
    body = json.dumps({"order": _order(shared_json)}).encode()
    headers = _headers(body, shopify_secret, "d-first", "orders/create")
    statuses = _post_together(f"{live_server}/webhooks/shopify", [(body, headers)] * 10)
    assert sorted(set(statuses)) == [200]
    rows = count_rows()
    assert (rows["orders"], rows["customers"]) == (1, 1)


def test_different_deliveries_of_one_new_order_at_once_make_one_order(
    live_server: str, shared_json: Callable[[str], Any], shopify_secret: str, count_rows: CountRows
) -> None:
    body = json.dumps({"order": _order(shared_json)}).encode()
    deliveries = [
        (body, _headers(body, shopify_secret, f"d-{n}", ("orders/create", "orders/updated")[n % 2]))
        for n in range(10)
    ]
    statuses = _post_together(f"{live_server}/webhooks/shopify", deliveries)
    assert sorted(set(statuses)) == [200]
    rows = count_rows()
    assert (rows["orders"], rows["customers"]) == (1, 1)
