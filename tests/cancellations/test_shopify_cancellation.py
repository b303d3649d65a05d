"""A Shopify order's last cancellation cancels it at Shopify, the refund in the same call."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug import Request, Response

from returns_service.cancellations.shopify import CANCEL_PROVIDER
from returns_service.orders.models import Shipment
from returns_service.outbox import OutboxMessage
from returns_service.refunds.models import Refund, RefundStatus
from returns_service.worker import run_message
from tests.cancellations.conftest import Cancellations
from tests.conftest import SHOPIFY_SECRET, shared_fixture_path
from tests.shop import Shop

SHOPIFY_ORDER = "450789469"
ORDERS = f"/admin/api/2024-04/orders/{SHOPIFY_ORDER}"
TOKEN = "shpat_test_token"


def _fixture(name: str) -> Any:
    return json.loads(shared_fixture_path(name).read_text(encoding="utf-8"))


class FakeShopifyOrder:
    """Shopify's order #1001 on loopback: read it, cancel it (with a refund), refund it.

    Answers are the documented pairs of the shared fixtures; a cancel or a refund keeps the
    note and the transactions asked for, as Shopify does.
    """

    def __init__(self, httpserver: HTTPServer) -> None:
        cancel = _fixture(
            "shopify_api_js_2024-04__order_cancel_with_refund_line_items__request_response.json"
        )
        self.cancel_request: dict[str, Any] = cancel["request"]["data"]
        self.cancel_answer: dict[str, Any] = cancel["response"]
        self.refund_template = self.cancel_answer["order"]["refunds"][0]
        self.order: dict[str, Any] = copy.deepcopy(self.cancel_answer["order"]) | {
            "cancelled_at": None,
            "cancel_reason": None,
            "refunds": [],
        }
        self.calculated = _fixture("shopify_python_api__refund_calculate_response.json")
        self.requests: list[tuple[str, str, Any]] = []
        for suffix in (".json", "/cancel.json", "/refunds.json", "/refunds/calculate.json"):
            httpserver.expect_request(ORDERS + suffix).respond_with_handler(self._handle)

    def posted(self, suffix: str) -> list[Any]:
        """The bodies POSTed to a path ending in ``suffix``."""
        return [body for method, path, body in self.requests if (method, path) == ("POST", suffix)]

    def cancelled_elsewhere(self, refund_note: str | None = None) -> None:
        """Someone cancelled the order already, with a refund noted so, if given."""
        self.order["cancelled_at"] = "2024-04-02T09:04:02-05:00"
        if refund_note is not None:
            self._refund(
                {
                    "note": refund_note,
                    "currency": "USD",
                    "transactions": [
                        {
                            "parent_id": 801038806,
                            "amount": "10.00",
                            "kind": "refund",
                            "gateway": "bogus",
                        }
                    ],
                }
            )

    def _refund(self, asked: dict[str, Any]) -> dict[str, Any]:
        template = self.refund_template["transactions"][0]
        refund = copy.deepcopy(self.refund_template) | {
            "id": 929361468 + len(self.order["refunds"]),
            "note": asked.get("note"),
            "transactions": [
                template | {"parent_id": t["parent_id"], "amount": t["amount"], "status": "success"}
                for t in asked["transactions"]
            ],
        }
        self.order["refunds"].append(refund)
        return refund

    def _handle(self, request: Request) -> Response:
        if request.headers.get("X-Shopify-Access-Token") != TOKEN:
            return _json({"errors": "[API] Invalid API key or access token"}, 401)
        suffix = request.path.removeprefix(ORDERS)
        body = request.get_json() if request.method == "POST" else None
        self.requests.append((request.method, suffix, body))
        if suffix == ".json":
            return _json({"order": self.order})
        if suffix == "/refunds/calculate.json":
            return _json(self.calculated)
        if suffix == "/refunds.json" and request.method == "GET":
            return _json({"refunds": self.order["refunds"]})
        if suffix == "/refunds.json":
            return _json({"refund": self._refund(body["refund"])}, 201)
        if self.order["cancelled_at"]:
            return _json({"errors": {"base": ["Order has already been cancelled"]}}, 422)
        if "refund" in body:
            self._refund(body["refund"])
        self.order["cancelled_at"] = "2024-04-02T09:04:02-05:00"
        self.order["cancel_reason"] = body.get("reason")
        return _json(self.cancel_answer | {"order": self.order})


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


@pytest.fixture
def shopify(app: Flask, httpserver: HTTPServer) -> Iterator[FakeShopifyOrder]:
    """Shopify's Admin API on loopback, holding order #1001."""
    fake = FakeShopifyOrder(httpserver)
    saved = {key: app.config[key] for key in ("SHOPIFY_API_BASE", "SHOPIFY_ACCESS_TOKEN")}
    app.config.update(SHOPIFY_API_BASE=httpserver.url_for(""), SHOPIFY_ACCESS_TOKEN=TOKEN)
    try:
        yield fake
    finally:
        app.config.update(saved)


def _shopify_order(cancellations: Cancellations, **kwargs: Any) -> dict[str, Any]:
    """Order #1001 as our API holds it: one line of 10.00 USD, not shipped yet."""
    return cancellations.put_order(
        SHOPIFY_ORDER,
        number="#1001",
        currency="USD",
        email_address="bob.norman@mail.example.com",
        locale="en",
        source="shopify",
        payment={"provider": "shopify", "reference": SHOPIFY_ORDER, "method": "bogus"},
        lines=[
            {
                "external_id": "466157049",
                "sku": "IPOD2008GREEN",
                "title": "IPod Nano - 8gb - green",
                "quantity": 1,
                "unit_price": {"amount": 1000, "currency": "USD"},
            }
        ],
        **kwargs,
    )


def test_a_shopify_order_is_cancelled_at_shopify_with_its_refund_exactly_once(
    app: Flask,
    shop: Shop,
    cancellations: Cancellations,
    shopify: FakeShopifyOrder,
    session: Session,
) -> None:
    order = _shopify_order(cancellations)

    response = cancellations.cancel(cancellations.customer(order))

    assert response.status_code == 201, response.json
    assert response.json["refund"]["amount"] == {"amount": 1000, "currency": "USD"}
    assert response.json["refund"]["provider"] == CANCEL_PROVIDER
    shop.run_jobs()
    shop.run_jobs()
    [cancel] = shopify.posted("/cancel.json")
    # The documented request's shape: a refund with its note and the transactions to
    # refund (from refunds/calculate.json), and our reason; Shopify sends no e-mail.
    assert set(cancel) == {"reason", "email", "refund"}
    assert set(cancel["refund"]) <= set(shopify.cancel_request["refund"]) | {"currency"}
    assert cancel == {
        "reason": "customer",
        "email": False,
        "refund": {
            "note": "returns-service refund-1",
            "currency": "USD",
            "transactions": [
                {"parent_id": 801038806, "amount": "10.00", "kind": "refund", "gateway": "bogus"}
            ],
        },
    }
    refund = session.scalars(select(Refund)).one()
    assert refund.status is RefundStatus.SUCCEEDED
    assert refund.provider_reference == "929361468"
    job = session.scalar(select(OutboxMessage).where(OutboxMessage.job == "issue_refund"))
    with app.app_context():
        assert run_message(job.id) == "succeeded"  # delivered again: skipped
    assert len(shopify.posted("/cancel.json")) == 1


def test_an_order_an_earlier_attempt_cancelled_is_not_cancelled_again(
    shop: Shop, cancellations: Cancellations, shopify: FakeShopifyOrder, session: Session
) -> None:
    # The first attempt's cancel went through, but its answer was lost before our commit.
    shopify.cancelled_elsewhere(refund_note="returns-service refund-1")
    order = _shopify_order(cancellations)

    assert cancellations.cancel(cancellations.customer(order)).status_code == 201
    shop.run_jobs()

    assert shopify.posted("/cancel.json") == [] and shopify.posted("/refunds.json") == []
    refund = session.scalars(select(Refund)).one()
    assert (refund.status, refund.provider_reference) == (RefundStatus.SUCCEEDED, "929361468")


def test_an_order_cancelled_at_shopify_without_our_refund_is_refunded_plainly(
    shop: Shop, cancellations: Cancellations, shopify: FakeShopifyOrder, session: Session
) -> None:
    shopify.cancelled_elsewhere()  # staff cancelled it in Shopify's admin, refunding nothing
    order = _shopify_order(cancellations)

    assert cancellations.cancel(cancellations.customer(order)).status_code == 201
    shop.run_jobs()

    assert shopify.posted("/cancel.json") == []
    [plain] = shopify.posted("/refunds.json")
    assert plain["refund"]["note"] == "returns-service refund-1"
    assert session.scalars(select(Refund)).one().status is RefundStatus.SUCCEEDED


def test_a_shopify_order_with_nothing_left_to_refund_is_still_cancelled_there(
    shop: Shop, cancellations: Cancellations, shopify: FakeShopifyOrder, session: Session
) -> None:
    order = _shopify_order(cancellations, refunded=1000)  # refunded in Shopify's admin

    response = cancellations.cancel(cancellations.customer(order))

    assert response.status_code == 201, response.json
    assert response.json["refund"] is None
    shop.run_jobs()
    shop.run_jobs()
    assert shopify.posted("/cancel.json") == [{"reason": "customer", "email": False}]
    assert session.scalars(select(Refund)).all() == []
    timeline = cancellations.get(response.json["id"])["timeline"]
    assert timeline[-1]["kind"] == "shopify.order_cancelled"


def test_a_shopify_fulfillment_of_an_order_cancelled_and_refunded_is_refused_and_noted(
    shop: Shop, cancellations: Cancellations, session: Session
) -> None:
    order = _shopify_order(cancellations)
    cancelled = cancellations.cancel(cancellations.customer(order)).json
    fulfillment = _fixture("shopify_python_api__fulfillment_pending_with_tracking.json")
    fulfillment["fulfillment"]["status"] = "success"  # it left the warehouse after all
    body = json.dumps(fulfillment).encode()
    digest = hmac.new(SHOPIFY_SECRET.encode(), body, hashlib.sha256).digest()

    response = shop.client.post(
        "/webhooks/shopify",
        data=body,
        content_type="application/json",
        headers={
            "X-Shopify-Topic": "fulfillments/create",
            "X-Shopify-Hmac-Sha256": base64.b64encode(digest).decode(),
            "X-Shopify-Webhook-Id": "fulfillment-after-cancel",
        },
    )

    # Shopify is answered 200, or it would retry for days; the parcel is not recorded.
    assert response.status_code == 200, response.json
    assert response.json["status"] == "refused"
    assert session.scalars(select(Shipment)).all() == []
    noted = cancellations.get(cancelled["id"])["timeline"][-1]
    assert noted["kind"] == "shipment.refused"
    assert noted["actor"] == "shopify"
    assert "recall the parcel" in noted["message"]


def test_a_cancellation_shopify_could_not_take_is_shown_listed_and_retried(
    app: Flask, shop: Shop, cancellations: Cancellations, shopify: FakeShopifyOrder
) -> None:
    order = _shopify_order(cancellations, refunded=1000)  # nothing to refund: cancel only
    cancelled = cancellations.cancel(cancellations.customer(order)).json
    saved = {key: app.config[key] for key in ("SHOPIFY_API_BASE", "JOB_RETRIES")}
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    # Shopify cannot be reached and no retry is left: the job gives up at once.
    app.config.update(SHOPIFY_API_BASE=f"http://127.0.0.1:{closed}", JOB_RETRIES=0)
    try:
        shop.run_jobs()
    finally:
        app.config.update(saved)

    failed = cancellations.get(cancelled["id"])
    assert failed["shopify_failure"]
    assert failed["timeline"][-1]["kind"] == "shopify.cancel_failed"
    listed = shop.client.get("/api/v1/cancellations?shopify_failed=true", headers=shop.agent)
    assert [c["id"] for c in listed.json] == [cancelled["id"]]
    assert shopify.posted("/cancel.json") == []

    retry = f"/api/v1/cancellations/{cancelled['id']}/shopify/retry"
    retried = shop.client.post(retry, headers=shop.agent)
    assert retried.status_code == 200, retried.json
    assert retried.json["shopify_failure"] is None
    shop.run_jobs()

    assert shopify.posted("/cancel.json") == [{"reason": "customer", "email": False}]
    assert shop.client.post(retry, headers=shop.agent).status_code == 409
