"""Returns of Shopify orders mirrored as Shopify return records, through a loopback GraphQL
Admin API answering as ``FACTS__shopify_returns_graphql.md`` (shared fixtures) says."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug import Request, Response

from returns_service.extensions import db
from returns_service.integrations.models import IntegrationLink
from returns_service.models import utcnow
from returns_service.orders.models import Order, OrderSource
from returns_service.outbox import record
from returns_service.returns.models import ReturnRequest
from tests.conftest import shared_fixture_path
from tests.integrations.conftest import receive_and_inspect
from tests.shop import Shop

TOKEN = "shpat_returns_mirror"
ORDER_ID = "450789469"
LINE_ITEM = "466157049"


class ShopifyReturnsApi:
    """Shopify's GraphQL endpoint for one order: its fulfillment lines and its returns."""

    def __init__(self, server: HTTPServer) -> None:
        self.operations: list[tuple[str, dict[str, Any]]] = []
        self.returns: dict[str, dict[str, Any]] = {}
        self.refuse_requests = False
        server.expect_request(
            "/admin/api/2026-01/graphql.json", method="POST"
        ).respond_with_handler(self._handle)

    def _handle(self, request: Request) -> Response:
        assert request.headers["X-Shopify-Access-Token"] == TOKEN
        body = request.get_json()
        name = re.search(r"(?:query|mutation) (\w+)", body["query"]).group(1)
        variables = body["variables"]
        self.operations.append((name, variables))
        data = getattr(self, f"_{name}")(variables)
        return Response(json.dumps({"data": data}), 200, content_type="application/json")

    def mutations(self) -> list[str]:
        return [name for name, _ in self.operations if name != "ReturnableLines"]

    def _ReturnableLines(self, variables: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        assert variables["id"] == f"gid://shopify/Order/{ORDER_ID}"
        node = {
            "id": "gid://shopify/FulfillmentLineItem/1071823200",
            "quantity": 1,
            "lineItem": {"id": f"gid://shopify/LineItem/{LINE_ITEM}"},
        }
        return {"order": {"fulfillments": [{"fulfillmentLineItems": {"edges": [{"node": node}]}}]}}

    def _RequestReturn(self, variables: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        if self.refuse_requests:
            error = {"field": ["input"], "message": "Order is not returnable", "code": "INVALID"}
            return {"returnRequest": {"return": None, "userErrors": [error]}}
        gid = f"gid://shopify/Return/{945000 + len(self.returns)}"
        found = {"id": gid, "name": f"#1001-R{len(self.returns) + 1}", "status": "REQUESTED"}
        self.returns[gid] = found | {"input": variables["input"]}
        return {"returnRequest": {"return": found, "userErrors": []}}

    def _move(self, field: str, gid: str, start: str, end: str) -> dict[str, Any]:
        found = self.returns[gid]
        if found["status"] != start:
            error = {
                "field": ["id"],
                "message": "Return is not in a valid state",
                "code": "INVALID_STATE",
            }
            return {field: {"return": None, "userErrors": [error]}}
        found["status"] = end
        return {field: {"return": {"id": gid, "status": end}, "userErrors": []}}

    def _ApproveReturn(self, variables: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        return self._move("returnApproveRequest", variables["input"]["id"], "REQUESTED", "OPEN")

    def _DeclineReturn(self, variables: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        return self._move("returnDeclineRequest", variables["input"]["id"], "REQUESTED", "DECLINED")

    def _CloseReturn(self, variables: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        return self._move("returnClose", variables["id"], "OPEN", "CLOSED")

    def _ReturnStatus(self, variables: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        found = self.returns[variables["id"]]
        return {"return": {key: found[key] for key in ("id", "name", "status")}}


@pytest.fixture
def shopify_returns(httpserver: HTTPServer, configure: Callable[..., None]) -> ShopifyReturnsApi:
    """The app mirroring returns to a loopback Shopify."""
    shared_fixture_path("FACTS__shopify_returns_graphql.md")  # the shapes follow that note
    configure(
        SHOPIFY_RETURNS_MIRROR=True,
        SHOPIFY_API_BASE=httpserver.url_for("").rstrip("/"),
        SHOPIFY_ACCESS_TOKEN=TOKEN,
    )
    return ShopifyReturnsApi(httpserver)


def _shopify_order(shop: Shop, session: Session) -> dict[str, Any]:
    line = {
        "external_id": LINE_ITEM,
        "sku": "IPOD2008BLACK",
        "title": "IPod Nano - 8gb - black",
        "quantity": 1,
        "unit_price": {"amount": 128000, "currency": "JPY"},
    }
    order = shop.put_order(external_id=ORDER_ID, number="#1001", lines=[line])
    # Arranged as if it came through Shopify's webhooks (their tests cover that path).
    session.execute(
        update(Order).where(Order.external_id == ORDER_ID).values(source=OrderSource.SHOPIFY)
    )
    session.commit()
    return order


def _file_for_review(shop: Shop, order: dict[str, Any]) -> str:
    response = shop.file(
        shop.customer("#1001"),
        [{"line_id": shop.line_id(order, LINE_ITEM), "quantity": 1, "reason": "SIZE_TOO_SMALL"}],
    )
    assert response.json["status"] == "review", response.json
    return response.json["rma"]


def test_a_return_is_requested_approved_and_closed_in_shopify_once(
    shop: Shop, shopify_returns: ShopifyReturnsApi, session: Session
) -> None:
    rma = _file_for_review(shop, _shopify_order(shop, session))
    shop.run_jobs()
    [mirrored] = shopify_returns.returns.values()
    assert mirrored["status"] == "REQUESTED"
    assert mirrored["input"] == {
        "orderId": f"gid://shopify/Order/{ORDER_ID}",
        "returnLineItems": [
            {
                "fulfillmentLineItemId": "gid://shopify/FulfillmentLineItem/1071823200",
                "quantity": 1,
                "returnReason": "SIZE_TOO_SMALL",
                "customerNote": "",
            }
        ],
    }

    approved = shop.client.post(f"/api/v1/returns/{rma}/approve", json={}, headers=shop.agent)
    assert approved.status_code == 200, approved.json
    shop.run_jobs()
    assert mirrored["status"] == "OPEN"

    inspected = receive_and_inspect(shop, rma, approved.json["lines"][0]["id"])
    assert inspected.json["status"] == "completed", inspected.json
    shop.run_jobs()

    assert mirrored["status"] == "CLOSED"
    assert shopify_returns.mutations() == ["RequestReturn", "ApproveReturn", "CloseReturn"]
    kinds = [e["kind"] for e in shop.get(rma)["timeline"] if e["kind"].startswith("shopify")]
    assert kinds == [
        "shopify_return.requested",
        "shopify_return.open",
        "shopify_return.closed",
    ]


def test_a_step_done_before_a_crash_is_read_back_not_repeated(
    shop: Shop, shopify_returns: ShopifyReturnsApi, session: Session
) -> None:
    rma = _file_for_review(shop, _shopify_order(shop, session))
    shop.run_jobs()
    shop.client.post(f"/api/v1/returns/{rma}/approve", json={}, headers=shop.agent)
    shop.run_jobs()
    # As if the approval reached Shopify but our record of it was lost.
    session.execute(update(IntegrationLink).values(state="REQUESTED"))
    session.commit()

    with shop.app.app_context():
        request = db.session.scalar(select(ReturnRequest).where(ReturnRequest.rma == rma))
        record(db.session, "sync_shopify_return", utcnow(), return_id=request.id)
        db.session.commit()
    shop.run_jobs()

    assert shopify_returns.mutations().count("RequestReturn") == 1
    assert shopify_returns.mutations()[-2:] == ["ApproveReturn", "ReturnStatus"]
    session.expire_all()
    assert session.scalar(select(IntegrationLink.state)) == "OPEN"


def test_a_refused_mirror_shows_on_the_return(
    shop: Shop, shopify_returns: ShopifyReturnsApi, session: Session
) -> None:
    shopify_returns.refuse_requests = True
    rma = _file_for_review(shop, _shopify_order(shop, session))
    shop.run_jobs()

    failed = [e for e in shop.get(rma)["timeline"] if e["kind"] == "shopify_return.failed"]
    assert len(failed) == 1  # refused for good: not retried
    assert "Order is not returnable" in failed[0]["message"]
    session.expire_all()
    assert "INVALID Order is not returnable" in session.scalar(select(IntegrationLink.last_error))
