"""A new order's customer is found with the order's lock, in one statement: by the shop's
id for them, else by e-mail (whatever its case), else inserted."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.orders.models import Customer, Order
from tests.shop import Shop, order_document


def _put(
    shop: Shop, session: Session, external_id: str, email: str, customer_id: str | None = None
) -> int:
    """Put a new order naming its customer so; the id of the customer it was given."""
    document: dict[str, Any] = order_document(number=f"#{external_id}", email_address=email)
    if customer_id:
        document["customer"]["external_id"] = customer_id
    response = shop.client.put(
        f"/api/v1/orders/{external_id}", json=document, headers=shop.integration
    )
    assert response.status_code == 201, response.json
    return session.scalars(select(Order.customer_id).where(Order.external_id == external_id)).one()


@pytest.fixture
def first(shop: Shop, session: Session) -> int:
    """The customer of a first order, known by the shop's id ``C1`` and ``hanako@example.jp``."""
    return _put(shop, session, "9001", "hanako@example.jp", "C1")


def test_the_shops_id_finds_the_customer_whatever_the_e_mail(
    shop: Shop, session: Session, first: int
) -> None:
    assert _put(shop, session, "9002", "new-address@example.jp", "C1") == first


def test_the_shops_id_comes_before_an_e_mail_another_customer_has(
    shop: Shop, session: Session, first: int
) -> None:
    taro = _put(shop, session, "9006", "taro@example.jp", "C9")

    assert _put(shop, session, "9007", "taro@example.jp", "C1") == first != taro


def test_the_e_mail_finds_a_customer_the_order_names_without_an_id(
    shop: Shop, session: Session, first: int
) -> None:
    assert _put(shop, session, "9003", "Hanako@Example.jp") == first


def test_the_e_mail_finds_the_customer_when_the_shops_id_is_new(
    shop: Shop, session: Session, first: int
) -> None:
    assert _put(shop, session, "9004", "hanako@example.jp", "C2") == first
    assert session.get(Customer, first).external_id == "C2"


def test_a_customer_found_by_neither_is_inserted(shop: Shop, session: Session, first: int) -> None:
    other = _put(shop, session, "9005", "taro@example.jp", "C3")

    assert other != first
    customers = session.scalars(select(Customer.external_id).order_by(Customer.id)).all()
    assert customers == ["C1", "C3"]
