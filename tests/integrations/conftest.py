"""Fixtures for the integrations: the app switched to a system answering on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from tests.cancellations.conftest import Cancellations
from tests.shop import Shop


@pytest.fixture
def configure(app: Flask) -> Iterator[Callable[..., None]]:
    """Change settings for one test; they are put back afterwards."""
    saved: dict[str, Any] = {}

    def change(**values: Any) -> None:
        for key in values:
            saved.setdefault(key, app.config[key])
        app.config.update(values)

    yield change
    app.config.update(saved)


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
