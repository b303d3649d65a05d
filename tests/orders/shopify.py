"""What the Shopify webhook tests share: the payload files they use, signing, expected lines."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from typing import Any

SharedJson = Callable[[str], Any]
CountRows = Callable[[], dict[str, int]]
NOTHING = {"orders": 0, "order_lines": 0, "shipments": 0, "customers": 0}

AUTHORIZED = "shopify_python_api__order_authorized_with_fulfillment.json"
PARTIALLY_REFUNDED_LIST = "shopify_python_api__orders_list_partially_refunded.json"
PARTIALLY_REFUNDED = (
    "shopify_api_js_2024-04__order_get_partially_refunded_with_fulfillment_and_refund.json"
)
AUTHORIZED_LIST = "shopify_api_js_2024-04__orders_list_financial_status_authorized.json"
CREATED_EUR = "shopify_api_js_2024-04__order_create_EUR__request_response.json"
CREATED_FULFILLED = (
    "shopify_api_js_2024-04__order_create_fulfilled_with_fulfillment__request_response.json"
)
MULTICURRENCY = (
    "webhookdb__shopify_order_docs_example_multicurrency_USD_CAD_EUR_partial_fulfillment.json"
)
FULFILLMENT_PENDING = "shopify_python_api__fulfillment_pending_with_tracking.json"
FULFILLMENT_EVENTS = "go_shopify__fulfillment_events.json"
FULFILLMENT_EVENT_LABEL = "shopify_python_api__fulfillment_event_label_printed.json"
SIGNATURE_VECTORS = "webhook_signature_test_vectors__shopify_hmac_and_stripe.json"


def sign(body: bytes, secret: str) -> str:
    """The X-Shopify-Hmac-Sha256 header Shopify sends with ``body``."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def ipod_lines(green: int, red: int, black: int) -> list[tuple[str, str, str, int, int, int]]:
    """The three iPod lines of Shopify's documentation order #1001, with their discounts."""
    return [
        ("466157049", "IPOD2008GREEN", "IPod Nano - 8gb - green", 1, 19900, green),
        ("518995019", "IPOD2008RED", "IPod Nano - 8gb - red", 1, 19900, red),
        ("703073504", "IPOD2008BLACK", "IPod Nano - 8gb - black", 1, 19900, black),
    ]
