"""Exchanges: the last unit held for one customer only, the replacement shipped, differences
settled; store credit issued and spent."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

import rules
from returns_service.auth.models import Role
from returns_service.inventory.models import StockItem
from returns_service.refunds.models import SandboxRefund
from tests.shop import Inbox, Shop, Subscriber, product_document


def _stock(shop: Shop, sku: str, on_hand: int, price: int = 12800) -> int:
    """Put the denim bought (DNM-30) and ``sku`` in the catalogue; the variant id of ``sku``."""
    product = shop.put_product(
        document=product_document([("DNM-30", "30", 12800, 5), (sku, "32", price, on_hand)])
    )
    return shop.variant_id(product, sku)


def _exchange(shop: Shop, headers: dict[str, str], line: int, variant: int) -> Any:
    return shop.file(
        headers,
        [
            {
                "line_id": line,
                "quantity": 1,
                "reason": "SIZE_TOO_SMALL",
                "exchange_variant_id": variant,
            }
        ],
        resolution="exchange",
    )


def _publish_default_rules(shop: Shop, admin: dict[str, str]) -> None:
    draft = shop.client.post(
        "/api/v1/rules/drafts", json={"document": rules.default_rule_set()}, headers=admin
    )
    published = shop.client.post(f"/api/v1/rules/drafts/{draft.json['id']}/publish", headers=admin)
    assert published.status_code == 200, published.json


def test_parallel_exchanges_for_the_last_unit_let_exactly_one_through(
    app: Flask, shop: Shop, session: Session, token_for: Any
) -> None:
    # The rules in force first, so that the racers meet at the stock row and nowhere else.
    _publish_default_rules(shop, token_for(Role.ADMIN))
    variant = _stock(shop, "DNM-32", on_hand=1)
    customers = []
    for number in range(4):
        order = shop.put_order(
            external_id=f"80{number}", number=f"#80{number}", email_address=f"c{number}@example.jp"
        )
        customers.append(
            (shop.customer(f"#80{number}", f"c{number}@example.jp"), shop.line_id(order, "L1"))
        )
    barrier = threading.Barrier(len(customers))

    def exchange(customer: tuple[dict[str, str], int]) -> tuple[int, str]:
        headers, line = customer
        lines = [
            {
                "line_id": line,
                "quantity": 1,
                "reason": "SIZE_TOO_SMALL",
                "exchange_variant_id": variant,
            }
        ]
        body = {"resolution": "exchange", "method": {"type": "dropoff"}, "lines": lines}
        client = app.test_client()
        barrier.wait(timeout=10)  # released together, so they race on the stock row itself
        response = client.post("/api/v1/returns", json=body, headers=headers)
        return response.status_code, (response.json or {}).get("message", "")

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = sorted(pool.map(exchange, customers))
    assert [status for status, _ in answers] == [201, 409, 409, 409]
    assert all("out of stock" in message or "in stock" in message for _, message in answers[1:])
    session.expire_all()
    item = session.get(StockItem, "DNM-32")
    assert (item.on_hand, item.reserved) == (1, 1)


def test_out_of_stock_exchange_is_refused_and_writes_nothing(shop: Shop, session: Session) -> None:
    variant = _stock(shop, "DNM-32", on_hand=0)
    order = shop.put_order()
    response = _exchange(shop, shop.customer(), shop.line_id(order, "L1"), variant)
    assert response.status_code == 409
    assert response.json["message"] == "32 (ウエスト: 32) is out of stock: 0 available, 1 asked for"
    assert response.json["errors"] == {
        "json": {"lines.0.exchange_variant_id": [response.json["message"]]}
    }
    session.expire_all()
    assert session.get(StockItem, "DNM-32").reserved == 0
    assert (
        shop.client.get("/api/v1/portal/order", headers=shop.customer()).json["eligibility"][0][
            "returnable_quantity"
        ]
        == 1
    )


def test_the_replacement_is_shipped_through_the_warehouse_and_the_customer_told(
    shop: Shop, session: Session, inbox: Inbox, subscriber: Subscriber
) -> None:
    subscriber.subscribe("exchange.shipment_requested", path="/warehouse")
    variant = _stock(shop, "DNM-32", on_hand=3)
    order = shop.put_order()
    created = _exchange(shop, shop.customer(), shop.line_id(order, "L1"), variant)
    assert created.status_code == 201, created.json
    rma = created.json["rma"]
    assert created.json["exchanges"][0]["status"] == "reserved"
    assert created.json["exchanges"][0]["price_difference"] == {"amount": 0, "currency": "JPY"}
    line = created.json["lines"][0]["id"]
    shop.client.post(
        f"/api/v1/returns/{rma}/receive",
        headers=shop.warehouse,
        json={"lines": [{"line_id": line, "quantity": 1}]},
    )
    shop.client.post(
        f"/api/v1/returns/{rma}/inspect",
        headers=shop.warehouse,
        json={"lines": [{"line_id": line, "condition": "new", "disposition": "restock"}]},
    )
    shop.run_jobs()

    assert subscriber.events() == ["exchange.shipment_requested"]
    requested = subscriber.data("exchange.shipment_requested")
    assert (requested["rma"], requested["sku"], requested["quantity"]) == (rma, "DNM-32", 1)
    session.expire_all()
    item = session.get(StockItem, "DNM-32")
    assert (item.on_hand, item.reserved) == (2, 0)

    exchange_id = shop.get(rma)["exchanges"][0]["id"]
    shipped = shop.client.post(
        f"/api/v1/returns/{rma}/exchanges/{exchange_id}/shipped",
        headers=shop.warehouse,
        json={"carrier": "yamato", "tracking_number": "4000-1111-2222"},
    )
    assert shipped.status_code == 200, shipped.json
    assert shipped.json["exchanges"][0]["status"] == "shipped"
    shop.run_jobs()
    assert inbox.subjects()[-1] == f"交換の商品を発送しました（返品番号 {rma}）"
    body = inbox.messages[-1].get_payload(decode=True).decode()
    assert "4000-1111-2222" in body and "セルビッジデニム 30 (32)" in body
    assert session.scalars(select(SandboxRefund)).all() == []  # same price: no money moves


def test_a_cheaper_replacement_refunds_the_difference(shop: Shop, session: Session) -> None:
    variant = _stock(shop, "DNM-SALE", on_hand=2, price=9800)
    order = shop.put_order()
    created = _exchange(shop, shop.customer(), shop.line_id(order, "L1"), variant)
    assert created.json["exchanges"][0]["price_difference"]["amount"] == -3000
    rma = created.json["rma"]
    line = created.json["lines"][0]["id"]
    shop.client.post(
        f"/api/v1/returns/{rma}/receive",
        headers=shop.warehouse,
        json={"lines": [{"line_id": line, "quantity": 1}]},
    )
    shop.client.post(
        f"/api/v1/returns/{rma}/inspect",
        headers=shop.warehouse,
        json={"lines": [{"line_id": line, "condition": "good", "disposition": "restock"}]},
    )
    shop.run_jobs()
    assert [r.amount for r in session.scalars(select(SandboxRefund))] == [3000]


def test_a_dearer_replacement_waits_for_a_person_unless_the_rule_waives_it(
    shop: Shop, session: Session, token_for: Any
) -> None:
    variant = _stock(shop, "DNM-PREMIUM", on_hand=2, price=15800)
    order = shop.put_order()
    created = _exchange(shop, shop.customer(), shop.line_id(order, "L1"), variant)
    assert created.json["status"] == "review"
    assert "costs 3000 more" in created.json["timeline"][-1]["message"]
    assert created.json["exchanges"] == []  # nothing held until a person approves

    admin = token_for(Role.ADMIN)
    document = rules.default_rule_set()
    document["rules"][-1]["action"]["exchange_upcharge"] = "waive"
    shop.publish_rules(document, admin)
    second = shop.put_order(external_id="5002", number="#5002")
    waived = _exchange(shop, shop.customer("#5002"), shop.line_id(second, "L1"), variant)
    assert waived.json["status"] == "awaiting_parcel"
    assert waived.json["exchanges"][0]["price_difference"]["amount"] == 3000


def test_cancelling_an_approved_exchange_gives_the_unit_back(shop: Shop, session: Session) -> None:
    variant = _stock(shop, "DNM-32", on_hand=1)
    order = shop.put_order()
    customer = shop.customer()
    rma = _exchange(shop, customer, shop.line_id(order, "L1"), variant).json["rma"]
    cancelled = shop.client.post(f"/api/v1/returns/{rma}/cancel", json={}, headers=customer)
    assert cancelled.status_code == 200
    assert cancelled.json["exchanges"][0]["status"] == "released"
    session.expire_all()
    assert session.get(StockItem, "DNM-32").reserved == 0


def test_store_credit_is_issued_with_its_bonus_and_can_be_spent(
    shop: Shop, session: Session, token_for: Any
) -> None:
    admin = token_for(Role.ADMIN)
    document = rules.default_rule_set()
    document["rules"][-1]["action"]["bonus_credit"] = {"percent": 10}
    shop.publish_rules(document, admin)
    order = shop.put_order()
    created = shop.file(
        shop.customer(),
        [{"line_id": shop.line_id(order, "L1"), "quantity": 1, "reason": "STYLE"}],
        resolution="store_credit",
    ).json
    rma = created["rma"]
    line = created["lines"][0]["id"]
    shop.client.post(
        f"/api/v1/returns/{rma}/receive",
        headers=shop.warehouse,
        json={"lines": [{"line_id": line, "quantity": 1}]},
    )
    shop.client.post(
        f"/api/v1/returns/{rma}/inspect",
        headers=shop.warehouse,
        json={"lines": [{"line_id": line, "condition": "good", "disposition": "restock"}]},
    )
    shop.run_jobs()
    refund = shop.get(rma)["refunds"][0]
    assert (refund["method"], refund["status"]) == ("store_credit", "succeeded")

    account = shop.client.get(f"/api/v1/store-credit/{_code(session)}", headers=shop.integration)
    assert account.status_code == 200, account.json
    assert account.json["balance"] == {"amount": 12800 + 1280, "currency": "JPY"}
    spent = shop.client.post(
        f"/api/v1/store-credit/{_code(session)}/redeem",
        headers=shop.integration,
        json={"amount": 10000, "note": "#6001"},
    )
    assert spent.status_code == 201
    assert spent.json["balance"]["amount"] == 4080
    too_much = shop.client.post(
        f"/api/v1/store-credit/{_code(session)}/redeem",
        headers=shop.integration,
        json={"amount": 5000},
    )
    assert too_much.status_code == 409
    assert (
        shop.client.post(
            "/api/v1/store-credit/SC-NOPE/redeem", headers=shop.integration, json={"amount": 1}
        ).status_code
        == 404
    )
    assert (
        shop.client.post(
            f"/api/v1/store-credit/{_code(session)}/redeem",
            headers=shop.integration,
            json={"amount": 0},
        ).status_code
        == 422
    )


def _code(session: Session) -> str:
    from returns_service.refunds.models import StoreCreditAccount

    return session.scalar(select(StoreCreditAccount.code))


def _receive(shop: Shop, rma: str, line: int, quantity: int) -> Any:
    response = shop.client.post(
        f"/api/v1/returns/{rma}/receive",
        headers=shop.warehouse,
        json={"lines": [{"line_id": line, "quantity": quantity}]},
    )
    assert response.status_code == 200, response.json
    return response.json


def test_nothing_received_ships_no_replacement_and_gives_the_unit_back(
    shop: Shop, session: Session
) -> None:
    _stock(shop, "DNM-32", on_hand=3)
    order = shop.put_order()
    created = shop.file(
        shop.customer(),
        [
            {
                "line_id": shop.line_id(order, "L1"),
                "quantity": 1,
                "reason": "DEFECTIVE",
                "exchange_sku": "DNM-32",
            }
        ],
        resolution="exchange",
    ).json
    received = _receive(shop, created["rma"], created["lines"][0]["id"], 0)
    shop.run_jobs()

    assert received["exchanges"][0]["status"] == "released"
    assert shop.get(created["rma"])["exchanges"][0]["status"] == "released"
    session.expire_all()
    item = session.get(StockItem, "DNM-32")
    assert (item.on_hand, item.reserved) == (3, 0)


def test_part_received_replaces_and_refunds_that_part_only(shop: Shop, session: Session) -> None:
    _stock(shop, "DNM-32", on_hand=5, price=12500)  # 300 yen less than the pair bought
    two_pairs = {
        "external_id": "L1",
        "sku": "DNM-30",
        "title": "セルビッジデニム 30",
        "quantity": 2,
        "unit_price": {"amount": 12800, "currency": "JPY"},
        "product_type": "apparel",
    }
    order = shop.put_order(lines=[two_pairs])
    created = shop.file(
        shop.customer(),
        [
            {
                "line_id": shop.line_id(order, "L1"),
                "quantity": 2,
                "reason": "DEFECTIVE",
                "exchange_sku": "DNM-32",
            }
        ],
        resolution="exchange",
    ).json
    assert created["exchanges"][0]["price_difference"]["amount"] == -600
    rma, line = created["rma"], created["lines"][0]["id"]
    _receive(shop, rma, line, 1)
    shop.client.post(
        f"/api/v1/returns/{rma}/inspect",
        headers=shop.warehouse,
        json={"lines": [{"line_id": line, "condition": "damaged", "disposition": "dispose"}]},
    )
    shop.run_jobs()

    exchange = shop.get(rma)["exchanges"][0]
    assert exchange["status"] == "shipment_requested"
    assert (exchange["quantity"], exchange["price_difference"]["amount"]) == (1, -300)
    session.expire_all()
    item = session.get(StockItem, "DNM-32")
    assert (item.on_hand, item.reserved) == (4, 0)
    assert [r.amount for r in session.scalars(select(SandboxRefund))] == [300]
