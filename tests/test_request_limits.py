"""Hostile input answers 404, 413 or 422 naming the field, never 500; probes and logs keep
hosts and customers' data to themselves."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from rq import Queue
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from returns_service.auth.models import Role
from returns_service.extensions import db
from tests.shop import Shop

Token = Callable[[Role], dict[str, str]]


def test_a_json_body_over_the_limit_is_refused_before_it_is_read(
    app: Flask, client: FlaskClient, redis_url: str
) -> None:
    body = b'{"order_number": "' + b"9" * (app.config["MAX_JSON_BYTES"] + 10) + b'", "email": "a"}'
    response = client.post("/api/v1/portal/session", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.json["code"] == 413
    assert all(len(key) < 200 for key in Redis.from_url(redis_url).keys("*"))


def test_a_multipart_body_over_the_photo_limits_is_refused_with_a_page(
    app: Flask, client: FlaskClient
) -> None:
    limit = app.config["MAX_PHOTOS_PER_REQUEST"] * app.config["MAX_PHOTO_BYTES"]
    response = client.post(
        "/returns",
        data=b"-" * (limit + 2 * 1024 * 1024),
        content_type="multipart/form-data; boundary=x",
    )
    assert response.status_code == 413
    assert response.mimetype == "text/html"
    assert "大きすぎます" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cancellations/2147483648",
        "/api/v1/cancellations/99999999999999999999/approve",
        "/api/v1/refunds/2147483648",
        "/api/v1/refunds/9223372036854775808/retry",
        "/api/v1/rules/versions/2147483648",
        "/api/v1/rules/versions/2147483648/publish",
        "/api/v1/webhooks/endpoints/2147483648",
        "/api/v1/returns/R-1%00",
        "/api/v1/orders/5001%00",
    ],
)
def test_ids_beyond_the_columns_or_with_nul_are_not_found(
    client: FlaskClient, token_for: Token, path: str
) -> None:
    admin = token_for(Role.ADMIN)
    assert client.get(path, headers=admin).status_code in (404, 405)
    assert client.post(path, json={"message": "x"}, headers=admin).status_code in (404, 405)


@pytest.mark.parametrize(
    "order_number", ["#50\x0001", "#" + "9" * 65, "\x00"], ids=["nul", "long", "only-nul"]
)
def test_a_bad_order_number_is_refused_naming_the_field(shop: Shop, order_number: str) -> None:
    shop.put_order()
    response = shop.client.post(
        "/api/v1/portal/session", json={"order_number": order_number, "email": "a@example.jp"}
    )
    assert response.status_code == 422
    assert "order_number" in response.json["errors"]["json"]
    listed = shop.client.get(
        "/api/v1/returns", query_string={"order_number": order_number}, headers=shop.agent
    )
    assert listed.status_code == 422
    assert "order_number" in listed.json["errors"]["query"]


def test_sql_errors_do_not_carry_the_values_bound_into_them(app: Flask) -> None:
    with app.app_context(), pytest.raises(DBAPIError) as raised:
        db.session.execute(text("SELECT 1 / 0 WHERE :email <> ''"), {"email": "hanako@example.jp"})
    assert "hanako@example.jp" not in str(raised.value)


def test_readyz_names_the_failing_part_and_not_where_it_runs(
    app: Flask, client: FlaskClient
) -> None:
    working = app.extensions["job_queue"]
    unreachable = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)
    app.extensions["job_queue"] = Queue("returns", connection=unreachable)
    try:
        response = client.get("/readyz")
    finally:
        app.extensions["job_queue"] = working
        unreachable.close()
    assert response.status_code == 503
    assert response.json["failing"] == ["redis"]
    assert "127.0.0.1" not in response.get_data(as_text=True)
    assert ":1" not in response.get_data(as_text=True)
