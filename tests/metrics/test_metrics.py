"""The dashboard's numbers, from requests filed through the API."""

from __future__ import annotations

from typing import Any

from tests.shop import Shop


def test_return_rate_reasons_automation_and_time_to_refund(shop: Shop) -> None:
    order = shop.put_order()
    customer = shop.customer()
    shop.file(
        customer, [{"line_id": shop.line_id(order, "L2"), "quantity": 1, "reason": "UNWANTED"}]
    )  # kept, refunded at once
    shop.file(
        customer, [{"line_id": shop.line_id(order, "L3"), "quantity": 1, "reason": "STYLE"}]
    )  # final sale: rejected
    review = shop.file(
        customer, [{"line_id": shop.line_id(order, "L4"), "quantity": 1, "reason": "UNWANTED"}]
    ).json["rma"]
    shop.client.post(f"/api/v1/returns/{review}/approve", json={}, headers=shop.agent)
    shop.run_jobs()

    response = shop.client.get("/api/v1/metrics/returns", headers=shop.agent)
    assert response.status_code == 200, response.json
    numbers: dict[str, Any] = response.json
    by_sku = {row["sku"]: row for row in numbers["return_rate_by_product"]}
    assert by_sku["MUG"] == {
        "sku": "MUG",
        "name": "波佐見焼マグ",
        "sold": 2,
        "returned": 1,
        "rate": 0.5,
    }
    assert by_sku["KETTLE"]["rate"] == 1.0
    assert by_sku["SCARF"]["returned"] == 0  # rejected lines do not count
    assert numbers["reasons"] == {"UNWANTED": 2, "STYLE": 1}
    assert numbers["statuses"] == {"completed": 1, "rejected": 1, "awaiting_parcel": 1}
    assert numbers["automation"] == {"decided": 3, "decided_by_rules": 2, "share_by_rules": 0.6667}
    assert numbers["time_to_refund"]["refunds"] == 1
    assert numbers["time_to_refund"]["median_hours"] < 1
    assert numbers["time_to_refund"]["by_hours"][0] == {"from_hours": 0, "to_hours": 24, "count": 1}
    assert numbers["review_queue"]["in_review"] == 0
    assert numbers["review_queue"]["oldest_waiting_hours"] is None
    assert [b["count"] for b in numbers["review_queue"]["by_age"]] == [0, 0, 0, 0]


def test_the_review_queue_lists_what_waits_for_a_person(shop: Shop) -> None:
    order = shop.put_order()
    customer = shop.customer()
    waiting = shop.file(
        customer, [{"line_id": shop.line_id(order, "L4"), "quantity": 1, "reason": "UNWANTED"}]
    ).json["rma"]
    shop.file(customer, [{"line_id": shop.line_id(order, "L1"), "quantity": 1, "reason": "STYLE"}])
    queue = shop.client.get("/api/v1/returns?status=review", headers=shop.agent)
    assert queue.status_code == 200
    assert [r["rma"] for r in queue.json] == [waiting]
    assert queue.headers["X-Pagination"]
    everything = shop.client.get("/api/v1/returns?order_number=5001", headers=shop.warehouse)
    assert len(everything.json) == 2
    assert shop.client.get("/api/v1/returns?status=lost", headers=shop.agent).status_code == 422
    assert shop.client.get("/api/v1/returns", headers=shop.customer()).status_code == 403
    metrics = shop.client.get("/api/v1/metrics/returns", headers=shop.agent).json
    assert metrics["review_queue"]["in_review"] == 1
    assert [b["count"] for b in metrics["review_queue"]["by_age"]] == [1, 0, 0, 0]


def test_a_period_that_ends_before_it_starts_is_refused(shop: Shop) -> None:
    response = shop.client.get(
        "/api/v1/metrics/returns?since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z",
        headers=shop.agent,
    )
    assert response.status_code == 422
