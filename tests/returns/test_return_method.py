"""The way a parcel comes back: the customer's choice is kept, never replaced by the rules'."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from returns_service.orders import documents
from returns_service.returns.models import ReturnRequest
from tests.shop import Shop, pickup_method


def _filed(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ReturnRequest))


def test_a_drop_off_is_refused_where_the_rules_collect_the_parcel(
    shop: Shop, session: Session
) -> None:
    order = shop.put_order()
    line = {"line_id": shop.line_id(order, "L1"), "quantity": 1, "reason": "DEFECTIVE"}
    refused = shop.file(shop.customer(), [line], method={"type": "dropoff"})
    assert refused.status_code == 422
    assert refused.json["errors"]["json"] == {
        "method.type": ["the rules require pickup for these lines, not dropoff"]
    }
    assert _filed(session) == 0

    chosen = pickup_method(days_ahead=3)
    filed = shop.file(shop.customer(), [line], method=chosen)
    assert filed.status_code == 201, filed.json
    assert filed.json["method"] == "pickup"
    assert filed.json["pickup"]["date"] == chosen["date"]  # the customer's date, not another


def test_a_pickup_is_refused_where_the_rules_want_a_drop_off(shop: Shop, session: Session) -> None:
    order = shop.put_order()
    line = {"line_id": shop.line_id(order, "L1"), "quantity": 1, "reason": "SIZE_TOO_SMALL"}
    refused = shop.file(shop.customer(), [line], method=pickup_method())
    assert refused.status_code == 422
    assert refused.json["errors"]["json"] == {
        "method.type": ["the rules require dropoff for these lines, not pickup"]
    }
    assert _filed(session) == 0


def test_lines_that_go_back_in_different_ways_are_filed_apart(shop: Shop, session: Session) -> None:
    two_pairs = documents.order_line("L1", "DNM-30", "デニム", 12800, "JPY", quantity=2)
    order = shop.put_order(lines=[two_pairs])
    line_id = shop.line_id(order, "L1")
    lines = [
        {"line_id": line_id, "quantity": 1, "reason": "DEFECTIVE"},
        {"line_id": line_id, "quantity": 1, "reason": "SIZE_TOO_SMALL"},
    ]
    refused = shop.file(shop.customer(), lines, method=pickup_method())
    assert refused.status_code == 422
    assert "separate requests" in refused.json["errors"]["json"]["method.type"][0]
    assert _filed(session) == 0
