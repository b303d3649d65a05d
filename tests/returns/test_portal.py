"""Customer access: one order per token, no probing of order numbers, line eligibility."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from bench.inprocess import counted_statements
from returns_service.models import utcnow
from returns_service.orders import documents
from tests.shop import Shop, order_document


def test_unknown_order_and_wrong_email_get_the_same_answer(shop: Shop) -> None:
    shop.put_order()
    unknown = shop.client.post(
        "/api/v1/portal/session", json={"order_number": "#9999", "email": "hanako@example.jp"}
    )
    wrong = shop.client.post(
        "/api/v1/portal/session", json={"order_number": "#5001", "email": "someone@example.jp"}
    )
    assert unknown.status_code == wrong.status_code == 404
    assert unknown.json["message"] == wrong.json["message"]


def test_phone_number_and_order_number_without_hash_open_the_order(shop: Shop) -> None:
    shop.put_order()
    response = shop.client.post(
        "/api/v1/portal/session", json={"order_number": "5001", "email": "HANAKO@example.jp"}
    )
    assert response.status_code == 201
    assert response.json["expires_in"] == 3600


def test_lookups_are_rate_limited_per_order_number(app: Flask, shop: Shop) -> None:
    shop.put_order()
    statuses = []
    for attempt in range(12):
        environ = {"REMOTE_ADDR": f"10.0.0.{attempt}"}  # a different client each time
        statuses.append(
            shop.client.post(
                "/api/v1/portal/session",
                environ_base=environ,
                json={"order_number": "#5001", "email": f"guess{attempt}@example.jp"},
            ).status_code
        )
    assert statuses[:10] == [404] * 10
    assert statuses[10:] == [429, 429]


def test_order_shows_each_lines_eligibility(shop: Shop) -> None:
    order = shop.put_order()
    customer = shop.customer()
    shop.file(
        customer, [{"line_id": shop.line_id(order, "L2"), "quantity": 2, "reason": "UNWANTED"}]
    )
    response = shop.client.get("/api/v1/portal/order", headers=customer)
    assert response.status_code == 200
    by_line = {e["line_id"]: e for e in response.json["eligibility"]}
    assert by_line[shop.line_id(order, "L1")]["returnable_quantity"] == 1
    assert by_line[shop.line_id(order, "L2")]["reason"] == "already_returned"
    assert by_line[shop.line_id(order, "L3")]["reason"] == "final_sale"
    assert by_line[shop.line_id(order, "L3")]["message"]["ja"] == "セール品のため返品できません。"


def test_window_closed_and_not_delivered_lines_say_why(shop: Shop) -> None:
    shop.put_order(external_id="old", number="#6001", delivered_days_ago=45)
    shop.put_order(external_id="new", number="#6002", delivered_days_ago=None)
    old = shop.client.get("/api/v1/portal/order", headers=shop.customer("#6001"))
    new = shop.client.get("/api/v1/portal/order", headers=shop.customer("#6002"))
    assert {e["reason"] for e in old.json["eligibility"] if e["line_id"]} >= {"window_closed"}
    assert {e["reason"] for e in new.json["eligibility"]} == {"not_delivered"}


def test_a_customer_token_reaches_only_its_own_order(shop: Shop) -> None:
    first = shop.put_order()
    shop.put_order(external_id="other", number="#7001", email_address="other@example.jp")
    mine = shop.customer()
    theirs = shop.customer("#7001", "other@example.jp")
    rma = shop.file(
        mine, [{"line_id": shop.line_id(first, "L1"), "quantity": 1, "reason": "STYLE"}]
    ).json["rma"]
    assert shop.client.get(f"/api/v1/returns/{rma}", headers=theirs).status_code == 404
    assert shop.client.get(f"/api/v1/returns/{rma}", headers=mine).status_code == 200
    assert shop.client.get("/api/v1/orders/5001", headers=mine).status_code == 403


def test_an_expired_or_forged_token_is_refused(app: Flask, shop: Shop) -> None:
    shop.put_order()
    customer = shop.customer()
    forged = {"Authorization": customer["Authorization"][:-2] + "xx"}
    assert shop.client.get("/api/v1/portal/order", headers=forged).status_code == 401
    app.config["PORTAL_TOKEN_MINUTES"] = -1  # every token is older than that
    try:
        assert shop.client.get("/api/v1/portal/order", headers=customer).status_code == 401
    finally:
        app.config["PORTAL_TOKEN_MINUTES"] = 60


def test_reading_the_order_takes_two_queries_whatever_its_returns(app: Flask, shop: Shop) -> None:
    order = shop.put_order()
    customer = shop.customer()
    with counted_statements(app) as before_returns:
        assert shop.client.get("/api/v1/portal/order", headers=customer).status_code == 200
    for line in ("L1", "L2"):
        lines = [{"line_id": shop.line_id(order, line), "quantity": 1, "reason": "UNWANTED"}]
        assert shop.file(customer, lines).status_code == 201
    with counted_statements(app) as after_returns:
        response = shop.client.get("/api/v1/portal/order", headers=customer)

    # The order with its customer, lines and the units its returns hold; its parcels.
    assert len(before_returns) == len(after_returns) == 2, after_returns
    by_line = {e["line_id"]: e for e in response.json["eligibility"]}
    assert by_line[shop.line_id(order, "L1")]["reason"] == "already_returned"
    assert by_line[shop.line_id(order, "L2")]["returnable_quantity"] == 1


def test_portal_shows_the_order_as_the_order_api_does(shop: Shop) -> None:
    """The portal reads the order without the ORM: the same document, parcels and all."""
    now = utcnow()
    document = order_document()
    lines = document["lines"]
    document["shipments"] = [
        documents.shipment(
            "S1", lines[:2], status="delivered", carrier="yamato", tracking_number="4001",
            shipped_at=now - timedelta(days=4), delivered_at=now - timedelta(days=2),
        ),
        documents.shipment(
            "S2", lines[2:3], status="in_transit", carrier="sagawa", tracking_number="4002",
            shipped_at=now - timedelta(days=1),
        ),
        documents.shipment(
            "S3", [], status="pending", carrier="", tracking_number="", shipped_at=None
        ),
    ]  # fmt: skip
    stored = shop.client.put("/api/v1/orders/5001", json=document, headers=shop.integration)
    assert stored.status_code == 201, stored.json
    customer = shop.customer()
    line = {"line_id": shop.line_id(stored.json, "L1"), "quantity": 1, "reason": "UNWANTED"}
    assert shop.file(customer, [line]).status_code == 201

    portal = shop.client.get("/api/v1/portal/order", headers=customer).json
    eligibility = {e["line_id"]: e for e in portal.pop("eligibility")}
    assert portal == shop.client.get("/api/v1/orders/5001", headers=shop.agent).json
    assert [s["lines"] for s in portal["shipments"]] == [
        [{"line_id": "L1", "quantity": 1}, {"line_id": "L2", "quantity": 2}],
        [{"line_id": "L3", "quantity": 1}],
        [],
    ]
    reasons = {line["external_id"]: eligibility[line["id"]]["reason"] for line in portal["lines"]}
    assert reasons == {
        "L1": "already_returned", "L2": None, "L3": "not_delivered", "L4": "not_delivered"
    }  # fmt: skip
