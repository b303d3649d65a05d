"""Order documents in the shape the order API takes, built from their parts.

The demo shop and the tests describe orders the same way; the total, the money shapes and
the shipment's lines are worked out here once instead of by each of them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

#: An address in Tokyo and one in San Francisco, for orders shipped to Japan or the US.
TOKYO_ADDRESS = {
    "country": "JP",
    "postal_code": "150-0001",
    "province": "東京都",
    "city": "渋谷区",
    "address1": "神宮前1-2-3",
}
SAN_FRANCISCO_ADDRESS = {
    "country": "US",
    "postal_code": "94105",
    "province": "CA",
    "city": "San Francisco",
    "address1": "100 Market St",
}


def money(amount: int, currency: str) -> dict[str, Any]:
    """An amount in the currency's minor unit, as the API writes money."""
    return {"amount": amount, "currency": currency}


def order_line(
    external_id: str,
    sku: str,
    title: str,
    price: int,
    currency: str,
    *,
    quantity: int = 1,
    **extra: Any,
) -> dict[str, Any]:
    """One line: ``extra`` holds the optional fields (product_type, tags, final_sale ...)."""
    return {
        "external_id": external_id,
        "sku": sku,
        "title": title,
        "quantity": quantity,
        "unit_price": money(price, currency),
        **extra,
    }


def shipment(
    external_id: str,
    lines: list[dict[str, Any]],
    *,
    status: str,
    carrier: str,
    tracking_number: str,
    shipped_at: datetime | None,
    delivered_at: datetime | None = None,
) -> dict[str, Any]:
    """A parcel carrying every unit of ``lines``."""
    return {
        "external_id": external_id,
        "carrier": carrier,
        "tracking_number": tracking_number,
        "status": status,
        "shipped_at": shipped_at.isoformat() if shipped_at else None,
        "delivered_at": delivered_at.isoformat() if delivered_at else None,
        "lines": [{"line_id": li["external_id"], "quantity": li["quantity"]} for li in lines],
    }


def order(
    number: str,
    *,
    currency: str,
    placed_at: datetime,
    customer: dict[str, Any],
    address: dict[str, Any],
    lines: list[dict[str, Any]],
    shipments: list[dict[str, Any]],
    shipping: int = 0,
    **extra: Any,
) -> dict[str, Any]:
    """A paid order whose total is its lines plus shipping; shipped if any parcel is."""
    total = sum(li["unit_price"]["amount"] * li["quantity"] for li in lines) + shipping
    return {
        "number": number,
        "placed_at": placed_at.isoformat(),
        "currency": currency,
        "fulfillment_status": "shipped" if shipments else "unfulfilled",
        "customer": customer,
        "shipping_address": {"name": customer.get("name", ""), **address},
        "total": money(total, currency),
        "shipping": money(shipping, currency),
        "lines": lines,
        "shipments": shipments,
        **extra,
    }
