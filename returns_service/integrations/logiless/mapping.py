"""LOGILESS's JSON shapes, in one place: our neutral models in, its documents out and back.

The shapes follow ``FACTS__logiless_api.md`` of the shared fixtures (a third party's reading
of the public developer docs, not an official file): keep every LOGILESS field name here so
that a correction touches this module only. No Flask, SQLAlchemy or database here.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from returns_service.integrations.warehouse_system import (
    Address,
    ExpectedReturn,
    ShipmentLine,
    ShipmentOrder,
    StockLevel,
    StopAnswer,
    StopOutcome,
)

JAPAN = ZoneInfo("Asia/Tokyo")
#: Listings are capped; the note warns against relying on more than 100 a page.
PAGE_LIMIT = 100
#: Outbound delivery states meaning the parcel has left. The note names the resource, not
#: its values: the English and Japanese spellings seen in LOGILESS's screens are accepted.
LEFT_WAREHOUSE = frozenset({"shipped", "delivered", "出荷済み", "出荷済"})


def merchant_path(merchant_id: str, resource: str) -> str:
    """Every resource lives under the merchant: ``/merchant/{id}/<resource>``."""
    return f"/merchant/{merchant_id}/{resource.lstrip('/')}"


def timestamp(moment: datetime) -> str:
    """LOGILESS time: ``YYYY-MM-DD HH:MM:SS`` in Japan time, without an offset."""
    return moment.astimezone(JAPAN).strftime("%Y-%m-%d %H:%M:%S")


def _lines(lines: Iterable[ShipmentLine]) -> list[dict[str, Any]]:
    return [{"article_code": line.sku, "quantity": line.quantity} for line in lines]


def _recipient(address: Address) -> dict[str, str]:
    return {
        "recipient_name1": address.name,
        "recipient_post_code": address.postal_code,
        "recipient_prefecture": address.province,
        "recipient_address1": f"{address.city}{address.address1}",
        "recipient_address2": address.address2,
        "recipient_phone": address.phone,
    }


def sales_order(order: ShipmentOrder, now: datetime) -> dict[str, Any]:
    """A sales order (受注伝票) for a replacement: nothing to pay, our code as its code."""
    quantity = sum(line.quantity for line in order.lines)
    return {
        "code": order.code,
        "ordered_at": timestamp(now),
        "buyer_name1": order.ship_to.name,
        "buyer_email": order.buyer_email,
        **_recipient(order.ship_to),
        "subtotal": 0,
        "tax_total": 0,
        "total": 0,
        "cod_total": 0,
        "total_quantity": quantity,
        "memo": f"交換品（元のご注文 {order.order_number}）",
        "lines": _lines(order.lines),
    }


def search_by_codes(codes: Iterable[str]) -> dict[str, Any]:
    """The body of a ``.../search`` by codes."""
    return {"codes": list(codes)}


def inbound_delivery(expected: ExpectedReturn, now: datetime) -> dict[str, Any]:
    """An expected inbound delivery (入荷予定伝票) for a returning parcel."""
    document: dict[str, Any] = {
        "code": expected.code,
        "expected_arrival_date": timestamp(now)[:10],
        "memo": f"返品 {expected.code}（ご注文 {expected.order_number}）",
        "lines": _lines(expected.lines),
    }
    if expected.sender is not None:
        document["sender_name"] = expected.sender.name
    return document


def one(body: Any) -> dict[str, Any]:
    """The single object of an answer, bare or wrapped in ``data``."""
    if isinstance(body, Mapping) and isinstance(body.get("data"), Mapping):
        return dict(body["data"])
    if isinstance(body, Mapping):
        return dict(body)
    raise ValueError(f"LOGILESS answered {type(body).__name__}, not an object")


def listed(body: Any) -> list[dict[str, Any]]:
    """The items of a list answer ``{"data": [...], "current_page", "limit", "total_count"}``."""
    if not isinstance(body, Mapping) or not isinstance(body.get("data"), list):
        raise ValueError("LOGILESS list answer without a data list")
    return [dict(item) for item in body["data"]]


def has_more(body: Mapping[str, Any]) -> bool:
    """Whether a list answer has pages after this one."""
    page, limit = int(body.get("current_page") or 1), int(body.get("limit") or PAGE_LIMIT)
    return page * limit < int(body.get("total_count") or 0)


def left_warehouse(deliveries: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The first outbound delivery (出荷伝票) that has left, if any."""
    for delivery in deliveries:
        status = str(delivery.get("delivery_status") or delivery.get("status") or "")
        if status.lower() in LEFT_WAREHOUSE or status in LEFT_WAREHOUSE:
            return delivery
    return None


def stop_answer(shipped: Mapping[str, Any] | None, sales_order_id: str) -> StopAnswer:
    """What a stop came to: the parcel that left, or the reversed sales order."""
    if shipped is not None:
        tracking = shipped.get("tracking_number") or shipped.get("delivery_tracking_number")
        note = "LOGILESS: 出荷済み" + (f"（追跡番号 {tracking}）" if tracking else "")
        return StopAnswer(StopOutcome.SHIPPED, note=note, external_id=sales_order_id)
    return StopAnswer(
        StopOutcome.STOPPED, note="LOGILESS: 受注伝票を取り消しました", external_id=sales_order_id
    )


def stock_level(summary: Mapping[str, Any]) -> StockLevel:
    """A logical inventory summary (在庫) as units available for a SKU."""
    article = summary.get("article")
    code = summary.get("article_code") or (article or {}).get("code")
    if not code:
        raise ValueError("LOGILESS inventory summary without an article code")
    return StockLevel(
        sku=str(code),
        available=max(int(summary.get("available") or 0), 0),
        details={key: summary[key] for key in ("reserved", "logical_reserved") if key in summary},
    )


def error_detail(body: Any) -> str | None:
    """The message of LOGILESS's error envelopes: validation or OAuth."""
    if not isinstance(body, Mapping):
        return None
    if "error" in body:
        return f"{body['error']}: {body.get('error_description', '')}".strip(": ")
    if "message" in body:
        errors = body.get("errors")
        return f"{body['message']} {errors}" if errors else str(body["message"])
    return None
