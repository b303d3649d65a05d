"""Swapped parcels (テレコ): one day of shipments searched for the other half of a swap."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from returns_service.cases.swaps import named_match, normalise
from returns_service.models import utcnow
from returns_service.orders.models import OrderLine
from tests.shop import Shop, order_document

TOKYO = ZoneInfo("Asia/Tokyo")
#: The packing day: three days ago in Tokyo, so the returns are inside the return window.
DAY = (utcnow().astimezone(TOKYO) - timedelta(days=3)).date()


def at(hour: int, minute: int = 0, day_offset: int = 0) -> str:
    day = DAY + timedelta(days=day_offset)
    return datetime.combine(day, time(hour, minute), tzinfo=TOKYO).isoformat()


def _line(sku: str, title: str, product: str, variant: str | None = None) -> dict[str, Any]:
    return {
        "external_id": "L1",
        "sku": sku,
        "title": title,
        "product_id": product,
        "variant_id": variant,
        "quantity": 1,
        "unit_price": {"amount": 3900, "currency": "JPY"},
    }


def _ship(shop: Shop, number: str, line: dict[str, Any], shipped_at: str, warehouse: str) -> None:
    document = order_document(number=number, email_address=f"{number[1:]}@example.jp")
    document["lines"] = [line]
    document["total"] = {"amount": 3900, "currency": "JPY"}
    document["shipments"] = [
        {
            "external_id": f"S{number[1:]}",
            "carrier": "yamato",
            "tracking_number": f"4000{number[1:]}",
            "status": "delivered",
            "warehouse": warehouse,
            "shipped_at": shipped_at,
            "delivered_at": at(15, day_offset=1),
            "lines": [{"line_id": "L1", "quantity": 1}],
        }
    ]
    response = shop.client.put(
        f"/api/v1/orders/{number[1:]}", json=document, headers=shop.integration
    )
    assert response.status_code == 201, response.json


@pytest.fixture
def one_day_of_shipments(shop: Shop) -> None:
    """Six parcels; the customer of #7001 ordered a navy T-shirt in M."""
    _ship(shop, "#7001", _line("TEE-M-NAVY", "Tシャツ ネイビー M", "P-TEE"), at(14), "tokyo-1")
    # Just after midnight in Tokyo: still the previous day in UTC, the same packing day here.
    _ship(shop, "#7002", _line("TEE-L-NAVY", "Tシャツ ネイビー L", "P-TEE"), at(0, 30), "tokyo-1")
    _ship(
        shop,
        "#7003",
        _line("MUG-BLUE", "波佐見焼マグ 青", "P-MUG", "4901234567894"),
        at(16),
        "tokyo-1",
    )
    # Had the item our customer ordered: not a swap partner.
    _ship(shop, "#7004", _line("TEE-M-NAVY", "Tシャツ ネイビー M", "P-TEE"), at(11), "tokyo-1")
    # Same product, another warehouse; and the day before in Tokyo.
    _ship(shop, "#7005", _line("TEE-S-NAVY", "Tシャツ ネイビー S", "P-TEE"), at(12), "osaka")
    _ship(
        shop, "#7006", _line("TEE-L-NAVY", "Tシャツ ネイビー L", "P-TEE"), at(23, 50, -1), "tokyo-1"
    )


def _report_wrong_item(shop: Shop, comment: str) -> dict[str, Any]:
    order = shop.client.get("/api/v1/orders/7001", headers=shop.integration).json
    customer = shop.customer("#7001", "7001@example.jp")
    lines = [
        {
            "line_id": shop.line_id(order, "L1"),
            "quantity": 1,
            "reason": "WRONG_ITEM",
            "comment": comment,
        }
    ]
    filed = shop.file(customer, lines)
    assert filed.status_code == 201, filed.json
    cases = shop.client.get("/api/v1/cases?status=all", headers=shop.agent).json
    [case] = [c for c in cases if c["reference"] == filed.json["rma"]]
    detail = shop.client.get(f"/api/v1/cases/{case['id']}", headers=shop.agent).json
    assert detail["possibly_swapped_with"] == case["possibly_swapped_with"]
    return detail


@pytest.mark.usefixtures("one_day_of_shipments")
def test_the_named_item_and_a_sibling_variant_are_found(shop: Shop) -> None:
    case = _report_wrong_item(shop, "届いたのは波佐見焼マグ 青でした")

    swaps = case["possibly_swapped_with"]
    assert [(s["order_number"], s["received_sku"]) for s in swaps] == [
        ("#7002", "TEE-L-NAVY"),
        ("#7003", "MUG-BLUE"),
    ]
    mug = swaps[1]
    assert mug["warehouse"] == "tokyo-1" and mug["shipment"] == "40007003"
    assert mug["evidence"] == [
        f"shipped the same day ({DAY.isoformat()}) from the same warehouse",
        "did not contain TEE-M-NAVY",
        "contained MUG-BLUE, which the customer named by its title",
    ]
    assert swaps[0]["evidence"][-1] == "contained TEE-L-NAVY, another variant of the same product"


@pytest.mark.usefixtures("one_day_of_shipments")
def test_a_barcode_in_the_comment_is_matched(shop: Shop) -> None:
    case = _report_wrong_item(shop, "JAN：４９０１２３４５６７８９４ の商品が入っていました")

    mug = [s for s in case["possibly_swapped_with"] if s["order_number"] == "#7003"]
    assert mug[0]["evidence"][-1] == "contained MUG-BLUE, which the customer named by its barcode"


@pytest.mark.usefixtures("one_day_of_shipments")
def test_without_a_name_only_sibling_variants_are_suggested(shop: Shop) -> None:
    case = _report_wrong_item(shop, "")
    assert [s["order_number"] for s in case["possibly_swapped_with"]] == ["#7002"]


def test_names_are_matched_by_sku_title_or_barcode() -> None:
    mug = OrderLine(sku="MUG-BLUE", title="波佐見焼マグ 青", variant_id="4901234567894")
    assert named_match("ＭＵＧ－ＢＬＵＥが届きました", mug) == "sku"
    assert named_match("波佐見焼マグ", mug) == "title"
    assert named_match("4901234567894", mug) == "barcode"
    assert named_match("違う商品です", mug) is None
    assert named_match("", mug) is None
    assert normalise(" Ｔシャツ　Ｍ ") == "tシャツm"
