"""A pickup or an exchange's shipment that gave up shows failed on the return, is listed, and
is retried from the return itself with the same message (and so the same carrier reference)."""

from __future__ import annotations

import socket
from typing import Any

from tests.shop import Shop


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _pickup_return(shop: Shop) -> str:
    order = shop.put_order()
    response = shop.file(
        shop.customer(),
        [{"line_id": shop.line_id(order, "L1"), "quantity": 1, "reason": "DEFECTIVE"}],
        method={"type": "pickup", "date": "2026-12-10", "slot": "14-16"},
    )
    assert response.status_code == 201, response.json
    return response.json["rma"]


def test_a_pickup_that_gave_up_is_shown_listed_and_retried(shop: Shop, configure: Any) -> None:
    rma = _pickup_return(shop)
    # The carrier cannot be reached and no retry is left: the job gives up at once.
    configure(
        CARRIER="easypost",
        EASYPOST_API_BASE=f"http://127.0.0.1:{_closed_port()}",
        EASYPOST_API_KEY="key",
        JOB_RETRIES=0,
    )
    shop.run_jobs()

    failed = shop.get(rma)
    assert failed["pickup"]["status"] == "failed"
    assert failed["pickup"]["failure_reason"]
    assert failed["timeline"][-1]["kind"] == "pickup.failed"
    listed = shop.client.get("/api/v1/returns?pickup_status=failed", headers=shop.agent)
    assert [r["rma"] for r in listed.json] == [rma]

    configure(CARRIER="sandbox")
    retried = shop.client.post(f"/api/v1/returns/{rma}/pickup/retry", headers=shop.agent)
    assert retried.status_code == 200, retried.json
    assert retried.json["pickup"]["status"] == "requested"
    assert retried.json["pickup"]["failure_reason"] is None
    shop.run_jobs()

    assert shop.get(rma)["pickup"]["status"] == "confirmed"
    again = shop.client.post(f"/api/v1/returns/{rma}/pickup/retry", headers=shop.agent)
    assert again.status_code == 409


def test_a_pickup_that_did_not_fail_is_not_retried(shop: Shop) -> None:
    rma = _pickup_return(shop)

    response = shop.client.post(f"/api/v1/returns/{rma}/pickup/retry", headers=shop.agent)

    assert response.status_code == 409
    assert "no failed pickup" in response.json["message"]
