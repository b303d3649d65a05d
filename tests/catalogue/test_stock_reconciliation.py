"""Reconciling stock with Shopify's levels: queued by the worker's periodic round, run by the
real worker against a loopback Shopify answering with the shapes of its API samples."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from pytest_httpserver import HTTPServer
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from werkzeug import Request, Response

from returns_service.catalogue.models import StockLevel
from returns_service.outbox import MessageStatus, OutboxMessage
from tests.catalogue.conftest import ITEMS, LEVELS, shopify_exchange, shopify_product
from tests.shop import Shop

Deliver = Callable[..., Any]
StockOf = Callable[[str], tuple[int, int] | None]
TOKEN = "shpat_catalogue"
PATH = "/admin/api/2024-04/inventory_levels.json"


@pytest.fixture
def shopify(app: Flask, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    """The app pointed at a loopback Shopify; reconciliation due every hour."""
    monkeypatch.setitem(app.config, "CURRENCY", "USD")
    monkeypatch.setitem(app.config, "SHOPIFY_API_BASE", httpserver.url_for("/"))
    monkeypatch.setitem(app.config, "SHOPIFY_ACCESS_TOKEN", TOKEN)
    monkeypatch.setitem(app.config, "SHOPIFY_STOCK_SYNC_MINUTES", 60)
    return httpserver


def _shop_levels() -> list[dict[str, Any]]:
    """Every level of the iPod's four items: the list at location 655441491 (test_1) and the
    levels at 487838322 of the two-location answer (test_3)."""
    at_one = shopify_exchange(LEVELS, "test_1")["response"]["inventory_levels"]
    at_other = [
        level
        for level in shopify_exchange(LEVELS, "test_3")["response"]["inventory_levels"]
        if level["location_id"] == 487838322
    ]
    return copy.deepcopy(at_one + at_other)


class PagedLevels:
    """``GET inventory_levels.json``: the levels of the items asked, two pages, linked."""

    def __init__(self, levels: list[dict[str, Any]]) -> None:
        self.levels = levels
        self.queries: list[dict[str, str]] = []

    def __call__(self, request: Request) -> Response:
        if request.headers.get("X-Shopify-Access-Token") != TOKEN:
            return Response('{"errors":"[API] Invalid API key"}', status=401)
        query = request.args.to_dict()
        self.queries.append(query)
        if query.get("page_info") == "next":
            page, link = self.levels[3:], None
        else:
            wanted = set(query["inventory_item_ids"].split(","))
            page = [lv for lv in self.levels if str(lv["inventory_item_id"]) in wanted][:3]
            link = f'<{request.host_url.rstrip("/")}{PATH}?limit=250&page_info=next>; rel="next"'
        headers = {"Link": link} if link else {}
        body = json.dumps({"inventory_levels": page})
        return Response(body, mimetype="application/json", headers=headers)


@pytest.fixture
def levels(shopify: HTTPServer) -> Iterator[PagedLevels]:
    handler = PagedLevels(_shop_levels())
    shopify.expect_request(PATH, method="GET").respond_with_handler(handler)
    yield handler


def _reconciliations(session: Session) -> list[tuple[MessageStatus, str | None, int]]:
    session.expire_all()
    query = select(OutboxMessage).where(OutboxMessage.job == "reconcile_shopify_stock")
    return [
        (m.status, m.last_error, m.attempts)
        for m in session.scalars(query.order_by(OutboxMessage.created_at))
    ]


def test_the_worker_reconciles_every_sku_with_shopifys_levels(
    shop: Shop, deliver: Deliver, levels: PagedLevels, session: Session, stock_of: StockOf
) -> None:
    deliver("products/create", shopify_product("test_9"))
    # The inventory items' ids are those of Shopify's item samples.
    sample_items = shopify_exchange(ITEMS, "test_1")["response"]["inventory_items"]
    assert {str(i["id"]) for i in sample_items} <= {
        "808950810",
        "49148385",
        "39072856",
        "457924702",
    }
    # A level at a location Shopify no longer lists is dropped by the reconciliation.
    deliver(
        "inventory_levels/update",
        {"inventory_item_id": 457924702, "location_id": 1, "available": 50, "updated_at": None},
    )
    assert stock_of("IPOD2008BLACK") == (50, 0)

    shop.run_jobs()

    assert _reconciliations(session) == [(MessageStatus.SUCCEEDED, None, 1)]
    assert levels.queries[0] == {
        "inventory_item_ids": "39072856,457924702,49148385,808950810",
        "limit": "250",
    }
    assert levels.queries[1] == {"limit": "250", "page_info": "next"}
    assert [stock_of(f"IPOD2008{colour}") for colour in ("PINK", "RED", "GREEN", "BLACK")] == [
        (1 + 9, 0),
        (2, 0),
        (3 + 27, 0),
        (4, 0),
    ]
    assert session.get(StockLevel, {"inventory_item_id": "457924702", "location_id": "1"}) is None

    shop.run_jobs()  # within the hour: not queued again
    assert len(_reconciliations(session)) == 1


def test_a_refusal_fails_the_job_for_good_and_an_outage_retries(
    app: Flask, shop: Shop, deliver: Deliver, shopify: HTTPServer, session: Session
) -> None:
    deliver("products/create", shopify_product("test_9"))
    shopify.expect_request(PATH).respond_with_data("busy", status=503)
    shop.run_jobs()
    status, error, attempts = _reconciliations(session)[0]
    assert (status, attempts) == (MessageStatus.FAILED, app.config["JOB_RETRIES"] + 1)
    assert "Shopify answered 503; will retry" in error

    session.execute(delete(OutboxMessage))
    session.commit()
    shopify.clear()
    shopify.expect_request(PATH).respond_with_data('{"errors":"Not Found"}', status=404)
    shop.run_jobs()
    status, error, attempts = _reconciliations(session)[0]
    assert (status, attempts) == (MessageStatus.FAILED, 1)  # another try would not help
    assert "Shopify refused the stock listing (404)" in error
