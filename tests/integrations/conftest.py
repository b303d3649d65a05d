"""Fixtures for the integrations: cancellations and a received, inspected return."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cancellations.conftest import Cancellations
from tests.shop import Shop


@pytest.fixture
def cancellations(shop: Any) -> Cancellations:
    """The cancellation driver."""
    return Cancellations(shop)


def receive_and_inspect(shop: Shop, rma: str, line_id: int) -> Any:
    """The warehouse receives one unit of a return line and restocks it; the inspection."""
    shop.client.post(
        f"/api/v1/returns/{rma}/receive",
        headers=shop.warehouse,
        json={"lines": [{"line_id": line_id, "quantity": 1}]},
    )
    return shop.client.post(
        f"/api/v1/returns/{rma}/inspect",
        headers=shop.warehouse,
        json={"lines": [{"line_id": line_id, "condition": "new", "disposition": "restock"}]},
    )
