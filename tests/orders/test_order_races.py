"""The same new order written several times at once: one order, one customer, never a 500;
a writer that loses the race to insert it updates the winner's as a later writer would."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.auth.models import Role
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.orders.models import Customer, Order
from returns_service.orders.operations import upsert_order
from returns_service.orders.schemas import ORDER_UPSERT
from returns_service.shop import shop_settings
from tests.orders.order_api import TokenFor
from tests.shop import order_document
from tests.statements import before_the_first

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


@contextmanager
def delivered_first_by_another(app: Flask, external_id: str, document: dict[str, Any]):
    """Have a parallel writer commit ``document`` as the order just before this request's
    insert of it is sent: the request then loses the race, every time."""
    delivered: list[str] = []

    def deliver_first() -> None:
        delivered.append(external_id)
        with Session(db.engine) as other:
            data = ORDER_UPSERT.load(document)
            upsert_order(other, external_id, data, utcnow(), "shopify", shop_settings(app))
            other.commit()

    # The order's insert: with its lines, in one statement, on PostgreSQL.
    inserting = ("INSERT INTO orders", "WITH parent AS (INSERT INTO orders")
    with app.app_context(), before_the_first(inserting, deliver_first):
        yield delivered


def test_an_older_delivery_losing_the_race_changes_nothing(
    app: Flask, client: FlaskClient, token_for: TokenFor, count_rows: CountRows
) -> None:
    headers = token_for(Role.INTEGRATION)
    assert (
        client.put("/api/v1/orders/ext-7000", json=order_document(), headers=headers).status_code
        == 201
    )
    newer = order_document(number="#7002") | {"updated_at": "2030-01-02T00:00:00+09:00"}
    newer["customer"] = newer["customer"] | {"name": "佐藤 花子", "phone": "+81300000002"}
    older = order_document(number="#7002") | {"updated_at": "2030-01-01T00:00:00+09:00"}
    older["customer"] = older["customer"] | {"name": "佐藤 はなこ", "phone": "+81300000001"}
    with delivered_first_by_another(app, "ext-7002", newer) as delivered:
        response = client.put("/api/v1/orders/ext-7002", json=older, headers=headers)
    assert delivered and response.status_code == 200, response.json
    with Session(db.engine) as session:
        [customer] = session.scalars(select(Customer)).all()
    assert (customer.name, customer.phone) == ("佐藤 花子", "+81300000002")
    assert (count_rows()["orders"], count_rows()["customers"]) == (2, 1)


def test_a_delivery_naming_the_customer_by_shop_id_losing_the_race_keeps_one_customer(
    app: Flask, client: FlaskClient, token_for: TokenFor, count_rows: CountRows
) -> None:
    by_email = order_document(number="#7003")
    by_shop_id = order_document(number="#7003")
    by_shop_id["customer"] = by_shop_id["customer"] | {"external_id": "cust-7003"}
    with delivered_first_by_another(app, "ext-7003", by_email) as delivered:
        response = client.put(
            "/api/v1/orders/ext-7003", json=by_shop_id, headers=token_for(Role.INTEGRATION)
        )
    assert delivered and response.status_code == 200, response.json
    with Session(db.engine) as session:
        [customer] = session.scalars(select(Customer)).all()
        [order] = session.scalars(select(Order)).all()
    assert (customer.external_id, order.customer_id) == ("cust-7003", customer.id)


def test_a_delivery_finding_its_customer_by_e_mail_losing_the_race_keeps_one_customer(
    app: Flask, client: FlaskClient, token_for: TokenFor, count_rows: CountRows
) -> None:
    headers = token_for(Role.INTEGRATION)
    earlier = order_document(number="#7004")  # the customer is known before the race
    assert client.put("/api/v1/orders/ext-7004", json=earlier, headers=headers).status_code == 201
    winner = order_document(number="#7005")
    winner["customer"] = winner["customer"] | {"phone": "+81300000005"}
    with delivered_first_by_another(app, "ext-7005", winner) as delivered:
        response = client.put(
            "/api/v1/orders/ext-7005", json=order_document(number="#7005"), headers=headers
        )
    assert delivered and response.status_code == 200, response.json
    with Session(db.engine) as session:
        [customer] = session.scalars(select(Customer)).all()
        customers_of_orders = set(session.scalars(select(Order.customer_id)))
    assert customers_of_orders == {customer.id}
    assert customer.phone == "+81300000005"  # the winner's, kept: the loser named none
    assert count_rows()["orders"] == 2
