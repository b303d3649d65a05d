"""Loopback stand-ins for Stripe and Shopify answering with their real payloads, and helpers
for paying orders through them."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug import Request, Response

from returns_service.models import utcnow
from returns_service.orders.models import Order
from returns_service.refunds.models import Refund, RefundMethod
from returns_service.refunds.operations import create_refund
from tests.conftest import shared_payload as shared_json
from tests.shop import Shop, order_document

STRIPE_KEY = "sk_test_returns_service"
STRIPE_WEBHOOK_SECRET = "whsec_test_secret"
SHOPIFY_TOKEN = "shpat_returns_service"
#: The order of Shopify's documented examples, with its payment transaction 801038806.
SHOPIFY_ORDER = "450789469"
SHOPIFY_ORDERS = f"/admin/api/2024-04/orders/{SHOPIFY_ORDER}"


def _json(body: Any, status: int = 200, **headers: str) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json", headers=headers)


class FakeStripe:
    """Stripe's ``POST /v1/refunds``: one refund per Idempotency-Key, the same answer after.

    Like Stripe, an answer is kept for its key unless the request never reached the API
    (429, 5xx). Refunds are Stripe's own fixture refund with the request's values filled in.
    ``script`` holds what the next new requests get: refund fields or an error.
    """

    def __init__(self, httpserver: HTTPServer) -> None:
        self.template = shared_json("stripe_openapi__fixtures3__refund_object.json")["refund"]
        self.currency = "jpy"
        self.requests: list[tuple[str | None, dict[str, str]]] = []
        self.created: list[dict[str, Any]] = []
        self.script: list[dict[str, Any]] = []
        self._answers: dict[str, tuple[int, Any]] = {}
        httpserver.expect_request("/v1/refunds", method="POST").respond_with_handler(self._handle)

    def keys(self) -> list[str | None]:
        """The Idempotency-Key of every request, in order."""
        return [key for key, _ in self.requests]

    def _handle(self, request: Request) -> Response:
        if request.headers.get("Authorization") != f"Bearer {STRIPE_KEY}":
            error = {"type": "invalid_request_error", "message": "Invalid API Key provided"}
            return _json({"error": error}, 401)
        key = request.headers.get("Idempotency-Key")
        form = request.form.to_dict()
        self.requests.append((key, form))
        if key in self._answers:
            status, body = self._answers[key]
            return _json(body, status, **{"Idempotent-Replayed": "true"})
        status, body = self._answer(form, self.script.pop(0) if self.script else {})
        if key and status != 429 and status < 500:
            self._answers[key] = (status, body)
        return _json(body, status)

    def _answer(self, form: dict[str, str], script: dict[str, Any]) -> tuple[int, Any]:
        if "error" in script:
            return script["status"], {"error": script["error"]}
        refund = copy.deepcopy(self.template)
        refund.update(
            id=script.get("id", f"re_3Returns{len(self.created) + 1:04d}"),
            amount=int(form["amount"]),
            currency=self.currency,
            payment_intent=form.get("payment_intent"),
            metadata={"refund_id": form["metadata[refund_id]"]},
            created=int(time.time()),
            status=script.get("status", "succeeded"),
        )
        if "failure_reason" in script:
            refund["failure_reason"] = script["failure_reason"]
        self.created.append(refund)
        return 200, refund


class FakeShopify:
    """A shop's Admin API refunds of order 450789469, answering with Shopify's documented pairs.

    The order starts with the refund of Shopify's list example (someone else's, noted "it
    broke during shipping"). Created refunds are the documented create answer with the
    request's note and transactions in, and are listed afterwards.
    """

    def __init__(self, httpserver: HTTPServer) -> None:
        pairs = shared_json(
            "shopify_api_js_2024-04__refunds_list_create_calculate__request_response_pairs.json"
        )
        listed = next(p for p in pairs if p["request"]["method"] == "GET")
        created = next(
            p
            for p in pairs
            if p["request"]["method"] == "POST" and p["request"]["path"].endswith("/refunds.json")
        )
        self.refunds: list[dict[str, Any]] = copy.deepcopy(listed["response"]["refunds"])
        self.create_template: dict[str, Any] = created["response"]["refund"]
        self.calculated = shared_json("shopify_python_api__refund_calculate_response.json")
        self.transaction_status = "success"
        self.transaction_message = self.create_template["transactions"][0]["message"]
        self.requests: list[tuple[str, str, Any]] = []
        #: (method, path suffix) -> the status the next such request gets, doing nothing.
        self.outages: dict[tuple[str, str], int] = {}
        #: The next create is carried out, but its answer is lost: the caller gets this status.
        self.lost_answer: int | None = None
        #: The next create is refused with this 422 ``errors`` value.
        self.refusal: Any = None
        for suffix in ("/refunds.json", "/refunds/calculate.json"):
            httpserver.expect_request(SHOPIFY_ORDERS + suffix).respond_with_handler(self._handle)

    def posted(self, suffix: str) -> list[Any]:
        """The bodies POSTed to a path ending in ``suffix``."""
        return [body for method, path, body in self.requests if method == "POST" and path == suffix]

    def _handle(self, request: Request) -> Response:
        if request.headers.get("X-Shopify-Access-Token") != SHOPIFY_TOKEN:
            return _json({"errors": "[API] Invalid API key or access token"}, 401)
        suffix = request.path.removeprefix(SHOPIFY_ORDERS)
        body = request.get_json() if request.method == "POST" else None
        self.requests.append((request.method, suffix, body))
        outage = self.outages.pop((request.method, suffix), None)
        if outage:
            return _json({"errors": "Service Unavailable"}, outage)
        if request.method == "GET":
            return _json({"refunds": self.refunds})
        if suffix == "/refunds/calculate.json":
            return _json(self.calculated)
        if self.refusal is not None:
            return _json({"errors": self.refusal}, 422)
        refund = self._create(body["refund"])
        if self.lost_answer:
            status, self.lost_answer = self.lost_answer, None
            return _json({"errors": "Bad Gateway"}, status)
        return _json({"refund": refund}, 201)

    def _create(self, asked: dict[str, Any]) -> dict[str, Any]:
        refund = copy.deepcopy(self.create_template)
        template = refund["transactions"][0]
        refund.update(
            id=929361466 + len(self.refunds),
            note=asked.get("note"),
            refund_line_items=[],
            transactions=[
                dict(
                    template,
                    id=1068278483 + len(self.refunds) * 10 + number,
                    parent_id=transaction["parent_id"],
                    amount=transaction["amount"],
                    gateway=transaction["gateway"],
                    currency=asked["currency"],
                    status=self.transaction_status,
                    message=self.transaction_message,
                )
                for number, transaction in enumerate(asked["transactions"])
            ],
        )
        self.refunds.append(refund)
        return refund


@pytest.fixture
def stripe(app: Flask, httpserver: HTTPServer) -> Iterator[FakeStripe]:
    """A loopback Stripe the app refunds through, and signs webhooks with our test secret."""
    fake = FakeStripe(httpserver)
    keys = ("STRIPE_API_BASE", "STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET")
    saved = {key: app.config[key] for key in keys}
    app.config.update(
        STRIPE_API_BASE=httpserver.url_for(""),
        STRIPE_API_KEY=STRIPE_KEY,
        STRIPE_WEBHOOK_SECRET=STRIPE_WEBHOOK_SECRET,
    )
    try:
        yield fake
    finally:
        app.config.update(saved)


@pytest.fixture
def shopify(app: Flask, httpserver: HTTPServer) -> Iterator[FakeShopify]:
    """A loopback Shopify Admin API the app refunds Shopify orders through."""
    fake = FakeShopify(httpserver)
    saved = {key: app.config[key] for key in ("SHOPIFY_API_BASE", "SHOPIFY_ACCESS_TOKEN")}
    app.config.update(SHOPIFY_API_BASE=httpserver.url_for(""), SHOPIFY_ACCESS_TOKEN=SHOPIFY_TOKEN)
    try:
        yield fake
    finally:
        app.config.update(saved)


def stripe_signature(
    body: bytes, secret: str = STRIPE_WEBHOOK_SECRET, at: int | None = None
) -> str:
    """A ``Stripe-Signature`` header as Stripe computes it."""
    timestamp = int(time.time()) if at is None else at
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def put_paid_order(
    shop: Shop, provider: str, reference: str, external_id: str = "5001", **kwargs: Any
) -> dict[str, Any]:
    """An order the customer paid through ``provider``, delivered three days ago."""
    document = order_document(**kwargs)
    document["payment"] = {"provider": provider, "reference": reference}
    response = shop.client.put(
        f"/api/v1/orders/{external_id}", json=document, headers=shop.integration
    )
    assert response.status_code in (200, 201), response.json
    return response.json


def keep_item_return(
    shop: Shop,
    order: dict[str, Any],
    line: str,
    quantity: int,
    email_address: str = "hanako@example.jp",
) -> str:
    """File a return the rules approve at once with a refund (a cheap item kept); its RMA."""
    response = shop.file(
        shop.customer(order["number"], email_address),
        [{"line_id": shop.line_id(order, line), "quantity": quantity, "reason": "UNWANTED"}],
    )
    assert response.status_code == 201, response.json
    assert response.json["status"] == "completed", response.json["decision"]
    return response.json["rma"]


def only_refund(session: Session) -> Refund:
    """The one refund in the database, as it is now."""
    session.expire_all()
    return session.scalars(select(Refund)).one()


def on_its_way_but(session: Session, external_id: str, left: int) -> None:
    """A refund of all the order was paid but ``left``, on its way (committed)."""
    order = session.scalars(
        select(Order).where(Order.external_id == external_id).with_for_update()
    ).one()
    amount = order.total_amount - order.refunded_amount - left
    method = RefundMethod.ORIGINAL_PAYMENT
    create_refund(session, utcnow(), order=order, amount=amount, method=method, actor="test")
    session.commit()
