"""What may still be returned, computed directly on orders built in memory and in the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.models import utcnow
from returns_service.orders.models import Order, OrderLine, Shipment, ShipmentLine, ShipmentStatus
from returns_service.returns.eligibility import order_eligibility
from returns_service.returns.quantities import (
    delivered_at,
    delivered_quantities,
    latest_shipment_status,
    returnable_quantities,
)
from tests.shop import Shop

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


def _order() -> tuple[Order, OrderLine, OrderLine]:
    shirt = OrderLine(id=1, external_id="L1", title="shirt", quantity=3, is_final_sale=False)
    socks = OrderLine(id=2, external_id="L2", title="socks", quantity=2, is_final_sale=False)
    order = Order(lines=[shirt, socks])
    first = Shipment(
        external_id="S1",
        status=ShipmentStatus.DELIVERED,
        delivered_at=NOW - timedelta(days=5),
        lines=[
            ShipmentLine(order_line_id=1, quantity=2),
            ShipmentLine(order_line_id=2, quantity=2),
        ],
    )
    second = Shipment(
        external_id="S2",
        status=ShipmentStatus.IN_TRANSIT,
        lines=[ShipmentLine(order_line_id=1, quantity=1)],
    )
    order.shipments = [first, second]
    return order, shirt, socks


def test_only_delivered_parcels_count_as_delivered() -> None:
    order, shirt, socks = _order()

    assert delivered_quantities(order) == {1: 2, 2: 2}
    assert delivered_at(order, shirt) == NOW - timedelta(days=5)
    assert latest_shipment_status(order, shirt) is ShipmentStatus.IN_TRANSIT
    assert latest_shipment_status(order, socks) is ShipmentStatus.DELIVERED


def test_a_line_in_no_delivered_parcel_has_no_delivery_time() -> None:
    order, shirt, _ = _order()
    order.shipments = order.shipments[1:]

    assert delivered_quantities(order) == {}
    assert delivered_at(order, shirt) is None


def test_returned_units_are_taken_off_what_may_still_return(shop: Shop, session: Session) -> None:
    document = shop.put_order()
    mugs = shop.line_id(document, "L2")  # two delivered
    filed = shop.file(shop.customer(), [{"line_id": mugs, "quantity": 1, "reason": "STYLE"}])
    assert filed.status_code == 201, filed.json

    order = session.scalars(select(Order)).one()

    returnable = returnable_quantities(session, order)
    assert returnable[mugs] == 1
    assert returnable[shop.line_id(document, "L1")] == 1


def test_eligibility_names_why_a_line_cannot_return(shop: Shop, session: Session) -> None:
    shop.put_order(delivered_days_ago=40)
    order = session.scalars(select(Order)).one()

    lines = order_eligibility(session, order, utcnow(), window_days=30, timezone="Asia/Tokyo")

    line = lines[0]
    assert all(not each.eligible for each in lines)
    assert line.reason == "window_closed"
    assert line.returnable_quantity == 0
    assert line.message == {
        "ja": "返品受付期間（お届けから30日）を過ぎています。",
        "en": "The return window (30 days from delivery) has closed.",
    }
