"""Map Shopify's order and fulfillment JSON to our order document.

The result is raw input for :class:`OrderUpsertSchema` (or :class:`ShipmentSchema`), so a
Shopify order goes through the same validation as one sent to the API. Amounts are taken
in the shop's currency (``currency`` and the plain price strings), never the presentment
currency the customer saw.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

from carriers.status import TrackingStatus, from_shopify_shipment_status
from returns_service.money import to_minor

_FINANCIAL_STATUS = {"expired": "voided"}
# A fulfillment in these states never left the warehouse.
_NOT_SHIPPED = {"cancelled", "failure", "error"}


def verify_hmac(secret: str, body: bytes, header: str | None) -> bool:
    """Check ``X-Shopify-Hmac-Sha256``: base64 HMAC-SHA256 of the raw body, compared safely."""
    if not secret or not header:
        return False
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(digest).decode(), header.strip())


def _money(amount: Any, currency: str) -> dict[str, Any]:
    return {"amount": to_minor(amount or 0, currency), "currency": currency}


def _locale(value: str | None) -> str | None:
    """The customer's language when Shopify knows it; None lets the shop's default apply."""
    if not value:
        return None
    return "ja" if value.lower().startswith("ja") else "en"


def _customer(order: dict[str, Any]) -> dict[str, Any]:
    customer = order.get("customer") or {}
    name = " ".join(filter(None, (customer.get("first_name"), customer.get("last_name"))))
    return {
        "external_id": f"shopify:{customer['id']}" if customer.get("id") else None,
        "email": order.get("email") or order.get("contact_email") or customer.get("email"),
        "phone": order.get("phone") or customer.get("phone"),
        "name": name,
        "locale": _locale(order.get("customer_locale")),
    }


def _address(address: dict[str, Any] | None) -> dict[str, Any] | None:
    if not address:
        return None
    return {
        "name": address.get("name") or "",
        "phone": address.get("phone"),
        "postal_code": address.get("zip") or "",
        "country": address.get("country_code"),
        "province": address.get("province_code") or address.get("province") or "",
        "city": address.get("city") or "",
        "address1": address.get("address1") or "",
        "address2": address.get("address2") or "",
    }


def _line(item: dict[str, Any], currency: str) -> dict[str, Any]:
    allocated = sum(to_minor(a["amount"], currency) for a in item.get("discount_allocations", []))
    discount = max(to_minor(item.get("total_discount") or 0, currency), allocated)
    title = item.get("title") or item.get("name") or ""
    if item.get("variant_title"):
        title = f"{title} - {item['variant_title']}"
    return {
        "external_id": str(item["id"]),
        "sku": item.get("sku") or "",
        "product_id": str(item["product_id"]) if item.get("product_id") else None,
        "variant_id": str(item["variant_id"]) if item.get("variant_id") else None,
        "title": title,
        "quantity": item["quantity"],
        "unit_price": _money(item["price"], currency),
        "discount": {"amount": discount, "currency": currency},
    }


def shipment_from_fulfillment(fulfillment: dict[str, Any]) -> dict[str, Any] | None:
    """A shipment document from a Shopify fulfillment; None for one that never shipped."""
    if fulfillment.get("status") in _NOT_SHIPPED:
        return None
    status = from_shopify_shipment_status(fulfillment.get("shipment_status"))
    if status is None:
        shipped = fulfillment.get("status") == "success"
        status = TrackingStatus.IN_TRANSIT if shipped else TrackingStatus.PENDING
    return {
        "external_id": str(fulfillment["id"]),
        "carrier": fulfillment.get("tracking_company") or "",
        "tracking_number": fulfillment.get("tracking_number"),
        "status": status.value,
        # The location the parcel left from; parcels swapped in packing share it.
        "warehouse": str(fulfillment["location_id"]) if fulfillment.get("location_id") else None,
        "shipped_at": fulfillment.get("created_at"),
        "delivered_at": (
            fulfillment.get("updated_at") if status is TrackingStatus.DELIVERED else None
        ),
        "lines": [
            {"line_id": str(item["id"]), "quantity": item["quantity"]}
            for item in fulfillment.get("line_items", [])
        ],
    }


def _left(shipment: dict[str, Any]) -> bool:
    return shipment["status"] != TrackingStatus.PENDING.value


def _in_shop_currency(transaction: dict[str, Any], currency: str) -> int:
    """A transaction's amount in the shop's currency.

    A multi-currency order's transactions are in the currency the customer paid in; their
    ``amount_set.shop_money`` (where Shopify sends it) says what that was in the shop's.
    Without it, a transaction in another currency cannot be converted and is left out.
    """
    shop_money = (transaction.get("amount_set") or {}).get("shop_money") or {}
    if shop_money.get("currency_code") == currency:
        return to_minor(shop_money["amount"], currency)
    if transaction.get("currency", currency) == currency:
        return to_minor(transaction["amount"], currency)
    return 0


def _refunded(order: dict[str, Any], currency: str) -> int:
    return sum(
        _in_shop_currency(transaction, currency)
        for refund in order.get("refunds", [])
        for transaction in refund.get("transactions", [])
        if transaction.get("kind") == "refund" and transaction.get("status") == "success"
    )


def _shipping(order: dict[str, Any], currency: str) -> int:
    shipping_set = order.get("total_shipping_price_set") or {}
    shop_money = shipping_set.get("shop_money") or {}
    if shop_money.get("currency_code") == currency:
        return to_minor(shop_money["amount"], currency)
    return sum(to_minor(line["price"], currency) for line in order.get("shipping_lines", []))


def _is_subscription(order: dict[str, Any], tags: list[str]) -> bool:
    return any(tag.lower() == "subscription" for tag in tags) or any(
        item.get("selling_plan_allocation") for item in order.get("line_items", [])
    )


def order_from_shopify(order: dict[str, Any]) -> dict[str, Any]:
    """Our order document from a Shopify REST order (a webhook body or ``{"order": ...}``)."""
    order = order.get("order", order)
    currency = order["currency"]
    shipments = [
        shipment
        for fulfillment in order.get("fulfillments", [])
        if (shipment := shipment_from_fulfillment(fulfillment)) is not None
    ]
    tags = [tag.strip() for tag in (order.get("tags") or "").split(",") if tag.strip()]
    gateways = order.get("payment_gateway_names") or [order.get("gateway")]
    financial_status = order.get("financial_status") or "pending"
    return {
        "number": order.get("name") or f"#{order['order_number']}",
        "placed_at": order.get("processed_at") or order["created_at"],
        "updated_at": order.get("updated_at"),
        "currency": currency,
        "financial_status": _FINANCIAL_STATUS.get(financial_status, financial_status),
        # Shopify knows shipped or not (None: not said); picking and packing are the
        # warehouse's to tell. A fulfillment still pending at the fulfillment service has
        # not left (as in the fulfillments topic), so the order stays cancellable.
        "fulfillment_status": "shipped" if any(_left(s) for s in shipments) else None,
        "source": "shopify",
        "payment": {"provider": "shopify", "reference": str(order["id"]), "method": gateways[0]},
        "subscription_reference": str(order["id"]) if _is_subscription(order, tags) else None,
        "tags": tags,
        "cancelled_at": order.get("cancelled_at"),
        "customer": _customer(order),
        "shipping_address": _address(order.get("shipping_address")),
        "total": _money(order.get("total_price"), currency),
        "shipping": {"amount": _shipping(order, currency), "currency": currency},
        "discount": _money(order.get("total_discounts"), currency),
        "refunded": {"amount": _refunded(order, currency), "currency": currency},
        "lines": [_line(item, currency) for item in order.get("line_items", [])],
        "shipments": shipments,
    }
