"""Opening an order: a blank contact opens nothing, and the rate limiter's keys stay small."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from redis import Redis
from sqlalchemy.orm import Session

from returns_service.portal.lookup import order_for_contact
from tests.shop import Shop, order_document


def _phone_only_order(shop: Shop) -> None:
    document = order_document(number="#5008")
    document["customer"] = {"email": None, "phone": "090-1234-5678", "name": "佐藤 花子"}
    response = shop.client.put("/api/v1/orders/5008", json=document, headers=shop.integration)
    assert response.status_code in (200, 201), response.json


def _open(shop: Shop, address: str = "10.1.0.1", **body: str) -> int:
    response = shop.client.post(
        "/api/v1/portal/session", json=body, environ_base={"REMOTE_ADDR": address}
    )
    return response.status_code


@pytest.mark.parametrize("blank", ["", " ", "\t ", "\u3000"])
def test_a_blank_email_never_opens_an_order_without_one(shop: Shop, blank: str) -> None:
    _phone_only_order(shop)
    assert _open(shop, order_number="#5008", email=blank) == 422
    assert _open(shop, order_number="#5008", email=blank, phone="") == 422
    assert _open(shop, order_number="#5008", email=blank, phone="090-1234-5678") == 201


def test_a_blank_phone_never_opens_an_order_without_one(shop: Shop) -> None:
    shop.put_order()  # e-mail only, no phone
    assert _open(shop, order_number="#5001", phone="  -  ") == 422
    assert _open(shop, order_number="#5001", phone="()") == 422
    assert _open(shop, order_number="#5001", email=" Hanako@Example.JP ") == 201


@pytest.fixture
def tight_limit(app: Flask) -> Iterator[None]:
    saved = app.config["PORTAL_RATE_LIMIT"]
    app.config["PORTAL_RATE_LIMIT"] = "3 per minute"
    yield
    app.config["PORTAL_RATE_LIMIT"] = saved


@pytest.mark.usefixtures("tight_limit")
def test_a_client_refused_by_its_address_limit_does_not_lock_out_an_order(shop: Shop) -> None:
    shop.put_order()
    attacker = [_open(shop, "10.9.9.9", order_number="#9999", email="x@example.jp") for _ in "abc"]
    attacker += [
        _open(shop, "10.9.9.9", order_number="#5001", email=f"{n}@example.jp") for n in range(5)
    ]
    assert attacker == [404, 404, 404, 429, 429, 429, 429, 429]
    assert _open(shop, "10.1.1.1", order_number="#5001", email="hanako@example.jp") == 201


def test_rate_limit_keys_are_bounded_whatever_is_typed(shop: Shop, redis_url: str) -> None:
    assert _open(shop, order_number="#" + "9" * 5000, email="x@example.jp") == 422
    assert _open(shop, order_number="#" + "9" * 60, email="x@example.jp") == 404
    keys = Redis.from_url(redis_url).keys("*")
    assert keys and max(len(key) for key in keys) < 200
    assert not any(b"9" * 60 in key for key in keys)


def test_the_lookup_itself_never_matches_an_empty_stored_contact(
    shop: Shop, session: Session
) -> None:
    _phone_only_order(shop)
    for blank in ("", " ", None):
        assert order_for_contact(session, "#5008", email=blank, phone=None) is None
        assert order_for_contact(session, "#5008", email=blank, phone=" ") is None
    assert order_for_contact(session, "5008", email=None, phone="09012345678") is not None
