"""An order's customer is found by the shop's id for them, else by e-mail (whatever its
case), else inserted: for a new order in the statement that takes the order's lock, for an
order updated in one statement read under it; each rule is checked both ways."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.orders.models import Customer, Order
from tests.shop import Shop, order_document

#: The customer an order is first put with, when the test updates it: known by the shop's
#: id ``P``, inserted once.
PLACEHOLDER = {"external_id": "P", "email": "placeholder@example.jp"}


@pytest.fixture(params=["new order", "order updated"])
def updating(request: pytest.FixtureRequest) -> bool:
    """Each rule for an order put new, and for one put first with :data:`PLACEHOLDER`."""
    return request.param == "order updated"


def _put(
    shop: Shop,
    session: Session,
    updating: bool,
    external_id: str,
    email: str,
    customer_id: str | None = None,
) -> int:
    """Put an order naming its customer so; the id of the customer it was given."""
    document: dict[str, Any] = order_document(number=f"#{external_id}", email_address=email)
    if customer_id:
        document["customer"]["external_id"] = customer_id
    url = f"/api/v1/orders/{external_id}"
    if updating:
        first = {**document, "customer": {**document["customer"], **PLACEHOLDER}}
        assert shop.client.put(url, json=first, headers=shop.integration).status_code == 201
    response = shop.client.put(url, json=document, headers=shop.integration)
    assert response.status_code == (200 if updating else 201), response.json
    return session.scalars(select(Order.customer_id).where(Order.external_id == external_id)).one()


@pytest.fixture
def first(shop: Shop, session: Session, updating: bool) -> int:
    """The customer of a first order, known by the shop's id ``C1`` and ``hanako@example.jp``."""
    return _put(shop, session, updating, "9001", "hanako@example.jp", "C1")


def test_the_shops_id_finds_the_customer_whatever_the_e_mail(
    shop: Shop, session: Session, first: int, updating: bool
) -> None:
    assert _put(shop, session, updating, "9002", "new-address@example.jp", "C1") == first


def test_the_shops_id_comes_before_an_e_mail_another_customer_has(
    shop: Shop, session: Session, first: int, updating: bool
) -> None:
    taro = _put(shop, session, updating, "9006", "taro@example.jp", "C9")

    assert _put(shop, session, updating, "9007", "taro@example.jp", "C1") == first != taro


def test_the_e_mail_finds_a_customer_the_order_names_without_an_id(
    shop: Shop, session: Session, first: int, updating: bool
) -> None:
    assert _put(shop, session, updating, "9003", "Hanako@Example.jp") == first


def test_the_e_mail_finds_the_customer_when_the_shops_id_is_new(
    shop: Shop, session: Session, first: int, updating: bool
) -> None:
    assert _put(shop, session, updating, "9004", "hanako@example.jp", "C2") == first
    assert session.get(Customer, first).external_id == "C2"


def test_a_customer_found_by_neither_is_inserted(
    shop: Shop, session: Session, first: int, updating: bool
) -> None:
    other = _put(shop, session, updating, "9005", "taro@example.jp", "C3")

    assert other != first
    customers = session.scalars(select(Customer.external_id).order_by(Customer.id)).all()
    assert [c for c in customers if c != PLACEHOLDER["external_id"]] == ["C1", "C3"]
