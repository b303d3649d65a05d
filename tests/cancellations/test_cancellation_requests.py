"""Who may ask for a cancellation, of which order, and how bad input or a reused key is
refused without writing anything."""

from __future__ import annotations

from collections.abc import Callable

from returns_service.cancellations.models import Cancellation
from tests.cancellations.conftest import Cancellations
from tests.shop import Shop


def test_staff_cancel_by_order_number_and_only_the_customer_sees_their_own(
    shop: Shop, cancellations: Cancellations
) -> None:
    mine = cancellations.put_order("6001")
    cancellations.put_order("6002", number="#6002", email_address="ken@example.jp")
    line = shop.line_id(mine, "L2")

    by_staff = cancellations.cancel(
        shop.agent, [{"line_id": line, "quantity": 1}], order_number="6001"
    )

    assert by_staff.status_code == 201, by_staff.json
    assert by_staff.json["timeline"][0]["actor"] == "token:test-agent"
    other = shop.customer("#6002", "ken@example.jp")
    assert (
        shop.client.get(f"/api/v1/cancellations/{by_staff.json['id']}", headers=other).status_code
        == 404
    )
    assert (
        shop.client.get(
            f"/api/v1/cancellations/{by_staff.json['id']}", headers=cancellations.customer(mine)
        ).status_code
        == 200
    )
    assert shop.client.post("/api/v1/cancellations", json={"nonsense": 1}).status_code == 401


def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    shop: Shop, cancellations: Cancellations, count: Callable[[type], int]
) -> None:
    order = cancellations.put_order()
    customer = cancellations.customer(order)
    line = shop.line_id(order, "L2")

    cases = [
        ({"reason": "BORED"}, "reason"),
        ({"reason": "OTHER", "lines": []}, "lines"),
        ({"reason": "OTHER", "lines": [{"line_id": line, "quantity": 0}]}, "lines"),
        ({"reason": "OTHER", "lines": [{"line_id": str(line), "quantity": 1}]}, "lines"),
        ({"reason": "OTHER", "comment": "x" * 2001}, "comment"),
    ]
    for body, field in cases:
        response = shop.client.post("/api/v1/cancellations", json=body, headers=customer)
        assert response.status_code == 422, body
        assert field in response.json["errors"]["json"], response.json
    unknown = cancellations.cancel(customer, [{"line_id": 999999, "quantity": 1}])
    assert unknown.status_code == 422
    assert "lines.0.line_id" in unknown.json["errors"]["json"]
    too_many = cancellations.cancel(customer, [{"line_id": line, "quantity": 3}])
    assert too_many.status_code == 409
    assert "2 units that can still be cancelled" in too_many.json["message"]
    staff = cancellations.cancel(shop.agent)
    assert staff.status_code == 422
    assert "order_number" in staff.json["errors"]["json"]
    assert count(Cancellation) == 0


def test_a_key_reused_for_another_cancellation_is_refused_and_nothing_changes(
    shop: Shop, cancellations: Cancellations, count: Callable[[type], int]
) -> None:
    order = cancellations.put_order(fulfillment_status="allocated")
    other = cancellations.put_order("6002", number="#6002", fulfillment_status="allocated")
    customer = cancellations.customer(order)
    line = {"line_id": shop.line_id(order, "L1"), "quantity": 1}

    assert cancellations.cancel(customer, [line], key="c-1").status_code == 201
    reused = cancellations.cancel(customer, reason="ORDERED_BY_MISTAKE", key="c-1")
    assert reused.status_code == 422
    assert "Idempotency-Key" in reused.json["errors"]["json"]
    first = cancellations.cancel(shop.agent, key="s-1", order_number=order["number"])
    on_other = cancellations.cancel(shop.agent, key="s-1", order_number=other["number"])
    assert first.status_code == 201, first.json
    assert on_other.status_code == 422
    assert count(Cancellation) == 2
