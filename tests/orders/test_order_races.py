"""The same new order PUT several times at once: one order, one customer, never a 500."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from returns_service.auth.models import Role
from tests.orders.order_api import TokenFor
from tests.shop import order_document

CountRows = Callable[[], dict[str, int]]


def _put_together(url: str, headers: dict[str, str], document: dict[str, Any], times: int) -> list:
    barrier = threading.Barrier(times)

    def put(_: int) -> int:
        barrier.wait(timeout=10)
        return requests.put(url, json=document, headers=headers, timeout=30).status_code

    with ThreadPoolExecutor(max_workers=times) as pool:
        return list(pool.map(put, range(times)))


@pytest.mark.parametrize("external_customer", [False, True], ids=["by e-mail", "by shop id"])
def test_the_same_new_order_put_ten_times_at_once_is_created_once(
    live_server: str, token_for: TokenFor, count_rows: CountRows, external_customer: bool
) -> None:
    document = order_document(number="#7001")
    if external_customer:
        document["customer"]["external_id"] = "cust-7001"
    statuses = _put_together(
        f"{live_server}/api/v1/orders/ext-7001", token_for(Role.INTEGRATION), document, 10
    )
    assert sorted(statuses) == [200] * 9 + [201]
    rows = count_rows()
    assert (rows["orders"], rows["customers"], rows["order_lines"]) == (1, 1, 4)
