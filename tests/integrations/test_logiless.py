"""LOGILESS as the warehouse system, on loopback, answering in the shapes of
``FACTS__logiless_api.md`` (shared fixtures): stock synced into an exchange, the
replacement sent as a sales order, the parcel expected, orders stopped or found shipped."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug import Request, Response

from returns_service.auth.models import Role
from returns_service.integrations.models import IntegrationLink
from returns_service.inventory.models import StockItem
from tests.cancellations.conftest import Cancellations
from tests.conftest import shared_fixture_path
from tests.integrations.conftest import receive_and_inspect
from tests.shop import Shop

MERCHANT = "/merchant/4321"
TOKEN = "logiless-access-token"


class Logiless:
    """A LOGILESS merchant on loopback: records every call and answers as the note says."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.calls: list[tuple[str, str, Any]] = []
        self.sales_orders: list[dict[str, Any]] = []
        self.inbound: list[dict[str, Any]] = []
        self.deliveries: list[dict[str, Any]] = []
        self.stock: list[dict[str, Any]] = []
        server.expect_request(f"{MERCHANT}/sales_orders/search").respond_with_handler(
            lambda r: self._search(r, self.sales_orders)
        )
        server.expect_request(f"{MERCHANT}/inbound_deliveries/search").respond_with_handler(
            lambda r: self._search(r, self.inbound)
        )
        server.expect_request(f"{MERCHANT}/sales_orders/new").respond_with_handler(
            lambda r: self._create(r, self.sales_orders, 9001)
        )
        server.expect_request(f"{MERCHANT}/inbound_deliveries/new").respond_with_handler(
            lambda r: self._create(r, self.inbound, 5001)
        )
        server.expect_request(f"{MERCHANT}/outbound_deliveries").respond_with_handler(
            lambda r: self._list(r, self.deliveries)
        )
        server.expect_request(f"{MERCHANT}/logical_inventory_summaries").respond_with_handler(
            lambda r: self._list(r, self.stock)
        )
        server.expect_request(
            f"{MERCHANT}/sales_orders/77/reversal", method="POST"
        ).respond_with_handler(self._reverse)

    def _record(self, request: Request) -> Any:
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        body = request.get_json(silent=True)
        self.calls.append((request.method, request.path, body))
        return body

    def _search(self, request: Request, items: list[dict[str, Any]]) -> Response:
        codes = self._record(request)["codes"]
        found = [item for item in items if item["code"] in codes]
        return self._page(found)

    def _create(self, request: Request, items: list[dict[str, Any]], first_id: int) -> Response:
        body = self._record(request)
        if not body.get("code"):
            return Response(
                json.dumps({"code": 422, "message": "入力内容に誤りがあります", "errors": {}}),
                422,
                content_type="application/json",
            )
        created = {"id": first_id + len(items), **body}
        items.append(created)
        return Response(json.dumps(created), 201, content_type="application/json")

    def _list(self, request: Request, items: list[dict[str, Any]]) -> Response:
        self._record(request)
        return self._page(items)

    def _page(self, items: list[dict[str, Any]]) -> Response:
        body = {"data": items, "current_page": 1, "limit": 100, "total_count": len(items)}
        return Response(json.dumps(body), 200, content_type="application/json")

    def _reverse(self, request: Request) -> Response:
        self._record(request)
        return Response(json.dumps({"id": 77}), 200, content_type="application/json")

    def paths(self, method: str = "POST") -> list[str]:
        return [path.removeprefix(MERCHANT) for m, path, _ in self.calls if m == method]


@pytest.fixture
def logiless(httpserver: HTTPServer, configure: Callable[..., None]) -> Logiless:
    """The app switched to LOGILESS on loopback."""
    shared_fixture_path("FACTS__logiless_api.md")  # the shapes below follow that note
    configure(
        WAREHOUSE_SYSTEM="logiless",
        LOGILESS_API_BASE=httpserver.url_for("/"),
        LOGILESS_MERCHANT_ID="4321",
        LOGILESS_ACCESS_TOKEN=TOKEN,
        WAREHOUSE_STOCK_SYNC_MINUTES=0,  # on demand only, unless a test says otherwise
    )
    return Logiless(httpserver)


def test_stock_synced_from_logiless_feeds_an_exchange_shipped_as_a_sales_order(
    shop: Shop, logiless: Logiless, session: Session, token_for: Callable[[Role], dict[str, str]]
) -> None:
    logiless.stock = [
        {"article_code": "DNM-32", "available": 2, "reserved": 1, "logical_reserved": 0},
        {"article_code": "MUG", "available": 0, "reserved": 0},
    ]
    order = shop.put_order()
    customer = shop.customer()
    line = shop.line_id(order, "L1")
    wanted = [
        {"line_id": line, "quantity": 1, "reason": "SIZE_TOO_SMALL", "exchange_sku": "DNM-32"}
    ]
    refused = shop.file(customer, wanted, resolution="exchange")
    assert refused.status_code == 409  # nothing known in stock yet

    synced = shop.client.post(
        "/api/v1/integrations/warehouse/stock-sync", headers=token_for(Role.ADMIN)
    )
    assert synced.status_code == 202, synced.json
    shop.run_jobs()
    session.expire_all()
    assert session.get(StockItem, "DNM-32").on_hand == 2
    assert session.get(StockItem, "MUG").on_hand == 0

    created = shop.file(customer, wanted, resolution="exchange")
    assert created.status_code == 201, created.json
    rma = created.json["rma"]
    shop.run_jobs()
    # The parcel coming back is announced as an expected inbound delivery, once.
    assert logiless.inbound[0]["code"] == rma
    assert logiless.inbound[0]["lines"] == [{"article_code": "DNM-30", "quantity": 1}]

    receive_and_inspect(shop, rma, created.json["lines"][0]["id"])
    shop.run_jobs()
    shop.run_jobs()  # a second round finds everything done: nothing is sent twice

    exchange_id = shop.get(rma)["exchanges"][0]["id"]
    [sales_order] = logiless.sales_orders
    assert sales_order["code"] == f"{rma}-X{exchange_id}"
    assert sales_order["lines"] == [{"article_code": "DNM-32", "quantity": 1}]
    assert (sales_order["recipient_name1"], sales_order["recipient_post_code"]) == (
        "佐藤 花子",
        "150-0001",
    )
    assert sales_order["total"] == 0
    assert len(sales_order["ordered_at"]) == 19  # YYYY-MM-DD HH:MM:SS, Japan time
    assert logiless.paths().count("/sales_orders/new") == 1
    assert logiless.paths().count("/inbound_deliveries/new") == 1
    link = session.scalar(select(IntegrationLink).where(IntegrationLink.subject_type == "exchange"))
    assert (link.system, link.external_id, link.state) == ("logiless", "9001", "ordered")
    kinds = [event["kind"] for event in shop.get(rma)["timeline"]]
    assert "logiless.return_expected" in kinds and "logiless.shipment_ordered" in kinds


def test_a_packed_order_is_stopped_in_logiless_and_cancelled_on_its_answer(
    shop: Shop, logiless: Logiless, cancellations: Cancellations
) -> None:
    logiless.sales_orders = [{"id": 77, "code": "#6001", "delivery_status": "waiting"}]
    order = cancellations.put_order(fulfillment_status="packed")
    response = cancellations.cancel(cancellations.customer(order))
    assert response.status_code == 201, response.json
    assert response.json["status"] == "pending_stop"

    shop.run_jobs()

    assert logiless.paths() == ["/sales_orders/search", "/sales_orders/77/reversal"]
    assert logiless.paths("GET") == ["/outbound_deliveries"]
    settled = cancellations.get(response.json["id"])
    assert settled["status"] == "cancelled"
    stopped = next(e for e in settled["timeline"] if e["kind"] == "warehouse.stopped")
    assert stopped["actor"] == "warehouse:logiless"


def test_an_order_logiless_already_shipped_is_refused_without_a_reversal(
    shop: Shop, logiless: Logiless, cancellations: Cancellations
) -> None:
    logiless.sales_orders = [{"id": 77, "code": "#6001"}]
    logiless.deliveries = [
        {"id": 3, "sales_order_id": 77, "delivery_status": "shipped", "tracking_number": "4000"}
    ]
    order = cancellations.put_order(fulfillment_status="picking")
    response = cancellations.cancel(cancellations.customer(order))

    shop.run_jobs()

    assert "/sales_orders/77/reversal" not in logiless.paths()
    settled = cancellations.get(response.json["id"])
    assert settled["status"] == "refused"
    not_stopped = next(e for e in settled["timeline"] if e["kind"] == "warehouse.not_stopped")
    assert "4000" in not_stopped["message"]


def test_a_logiless_refusal_fails_the_job_and_shows_on_the_admin_page(
    shop: Shop,
    logiless: Logiless,
    cancellations: Cancellations,
    token_for: Callable[[Role], dict[str, str]],
) -> None:
    order = cancellations.put_order(fulfillment_status="packed")  # unknown to LOGILESS
    response = cancellations.cancel(cancellations.customer(order))

    shop.run_jobs()

    assert cancellations.get(response.json["id"])["status"] == "pending_stop"
    listed = shop.client.get("/api/v1/integrations", headers=token_for(Role.ADMIN))
    assert listed.status_code == 200
    warehouse = next(item for item in listed.json if item["name"] == "warehouse_system")
    assert warehouse["enabled"] is True and warehouse["system"] == "logiless"
    assert "LOGILESS has no sales order '#6001'" in warehouse["last_error"]
    assert TOKEN not in json.dumps(listed.json)
    kinds = [e["kind"] for e in cancellations.get(response.json["id"])["timeline"]]
    assert "logiless.failed" in kinds


def test_stock_is_read_on_schedule_once_per_interval(
    shop: Shop, logiless: Logiless, session: Session, configure: Callable[..., None]
) -> None:
    configure(WAREHOUSE_STOCK_SYNC_MINUTES=60)
    logiless.stock = [{"article_code": "DNM-32", "available": 4, "reserved": 0}]

    shop.run_jobs()
    shop.run_jobs()  # within the hour: not read again

    assert logiless.paths("GET") == ["/logical_inventory_summaries"]
    session.expire_all()
    assert session.get(StockItem, "DNM-32").on_hand == 4


def test_a_replacement_logiless_could_not_take_is_shown_failed_and_retried_from_the_return(
    shop: Shop,
    logiless: Logiless,
    configure: Callable[..., None],
    token_for: Callable[[Role], dict[str, str]],
) -> None:
    logiless.stock = [{"article_code": "DNM-32", "available": 2, "reserved": 0}]
    shop.client.post("/api/v1/integrations/warehouse/stock-sync", headers=token_for(Role.ADMIN))
    shop.run_jobs()
    order = shop.put_order()
    wanted = [
        {
            "line_id": shop.line_id(order, "L1"),
            "quantity": 1,
            "reason": "SIZE_TOO_SMALL",
            "exchange_sku": "DNM-32",
        }
    ]
    created = shop.file(shop.customer(), wanted, resolution="exchange").json
    rma = created["rma"]
    shop.run_jobs()
    receive_and_inspect(shop, rma, created["lines"][0]["id"])
    # LOGILESS cannot be reached and no retry is left: handing the replacement over gives up.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    configure(LOGILESS_API_BASE=f"http://127.0.0.1:{closed}/", JOB_RETRIES=0)
    shop.run_jobs()

    [exchange] = shop.get(rma)["exchanges"]
    assert exchange["status"] == "shipment_failed" and exchange["failure_reason"]
    listed = shop.client.get("/api/v1/returns?exchange_status=shipment_failed", headers=shop.agent)
    assert [r["rma"] for r in listed.json] == [rma]
    assert logiless.sales_orders == []

    configure(LOGILESS_API_BASE=logiless.server.url_for("/"))
    retry = f"/api/v1/returns/{rma}/exchanges/{exchange['id']}/retry"
    retried = shop.client.post(retry, headers=shop.agent)
    assert retried.status_code == 200, retried.json
    assert retried.json["exchanges"][0]["status"] == "shipment_requested"
    shop.run_jobs()

    assert [s["code"] for s in logiless.sales_orders] == [f"{rma}-X{exchange['id']}"]
    assert shop.client.post(retry, headers=shop.agent).status_code == 409
