"""Helpers for the order-ingestion tests: shared real payloads, row counts."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from returns_service.orders.models import Customer, Order, OrderLine, Shipment
from tests.conftest import SHOPIFY_SECRET, shared_fixture_path


@pytest.fixture
def shared_json() -> Callable[[str], Any]:
    """Read a JSON file of the shared real-payload fixtures (skips where they are absent)."""

    def read(name: str) -> Any:
        return json.loads(shared_fixture_path(name).read_text(encoding="utf-8"))

    return read


@pytest.fixture
def shopify_secret() -> str:
    """The webhook secret the test app is configured with."""
    return SHOPIFY_SECRET


@pytest.fixture
def count_rows(session: Session) -> Callable[[], dict[str, int]]:
    """Count the rows of the order tables, to show that a refused request wrote nothing."""

    def count() -> dict[str, int]:
        session.expire_all()
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Order, OrderLine, Shipment, Customer)
        }

    return count
