"""Helpers for the order-ingestion tests: shared real payloads, row counts."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from returns_service.orders.models import Customer, Order, OrderLine, Shipment
from tests.conftest import SHOPIFY_SECRET


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
