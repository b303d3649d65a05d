"""Filing a return reads what it needs in a few statements and writes in one flush, and its
answer, built from what the transaction recorded, is what reading the return gives."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from bench.inprocess import counted_statements
from returns_service.orders import documents
from returns_service.refunds.models import Refund
from returns_service.returns.models import ReturnLine
from returns_service.statement_text import MOST_ROWS
from tests.shop import Shop, publish_default_rules

#: Order with its customer and lines (locked); its parcels, the units its returns hold, the
#: customer's history, the rules in force, the refunds on their way and the keys of the new
#: request, its lines and a refund it may make (one statement, under the lock); the request
#: with its lines, its events and outbox rows in one statement at the flush (the webhook
#: endpoints are taken as the process read them for the filing before).
FILING_STATEMENTS = 3
#: A kept item refunded at once: the same; the refund, its key drawn with the past, and the
#: line naming it go with the flush's other writes, and what is still on its way is read
#: with the order's past.
REFUNDED_AT_ONCE_STATEMENTS = 3


def _rules_seen(session: Any, shop: Shop, app: Flask) -> None:
    """Publish the rules and file once: the first filing after a publication also reads the
    new version (once per process), which the counts below leave out."""
    publish_default_rules(session)
    other = shop.put_order(external_id="5009", number="#5009")
    line = {"line_id": shop.line_id(other, "L1"), "quantity": 1, "reason": "SIZE_TOO_SMALL"}
    assert shop.file(shop.customer("#5009"), [line]).status_code == 201


def _filed(shop: Shop, app: Flask, line: str, reason: str) -> tuple[dict[str, Any], list[str]]:
    order = shop.put_order()
    customer = shop.customer()
    with counted_statements(app) as sent:
        response = shop.file(
            customer, [{"line_id": shop.line_id(order, line), "quantity": 1, "reason": reason}]
        )
    assert response.status_code == 201, response.json
    return response.json, sent


def _writes(sent: list[str]) -> list[str]:
    """Each insert and update sent, those sent together as the parts of a WITH included."""
    return [
        write
        for statement in sent
        if statement.startswith(("INSERT", "UPDATE", "WITH"))
        for write in re.findall(r"(?:INSERT INTO|UPDATE) \w+(?: SET)?", statement)
    ]


def test_filing_a_return_sends_a_bounded_number_of_statements(
    app: Flask, session: Any, shop: Shop
) -> None:
    _rules_seen(session, shop, app)
    answer, sent = _filed(shop, app, "L1", "SIZE_TOO_SMALL")

    assert answer["status"] == "awaiting_parcel"
    # The hand-over to the queue after the commit writes nothing to the database.
    assert len(sent) <= FILING_STATEMENTS, "\n".join(sent)
    assert not any("outbox_messages SET enqueued_at" in s for s in sent), "\n".join(sent)
    # The request written once, awaiting its parcel: no update after its insert.
    tables = ("return_requests", "return_lines", "events", "outbox_messages")
    assert _writes(sent) == [f"INSERT INTO {table}" for table in tables], _writes(sent)


def test_the_answer_to_filing_is_what_reading_the_return_gives(
    app: Flask, session: Any, shop: Shop
) -> None:
    publish_default_rules(session)
    for line, reason in (("L1", "SIZE_TOO_SMALL"), ("L2", "UNWANTED")):
        answer, _ = _filed(shop, app, line, reason)
        read = shop.get(answer["rma"], shop.customer())

        assert answer["timeline"] == read["timeline"]
        assert answer["refunds"] == read["refunds"]
        assert answer["status"] == read["status"]


def test_a_kept_item_refunded_at_once_shows_its_refund_in_the_answer(
    app: Flask, session: Any, shop: Shop
) -> None:
    publish_default_rules(session)
    answer, _ = _filed(shop, app, "L2", "UNWANTED")

    assert answer["status"] == "completed" and answer["method"] == "none"
    assert [r["amount"]["amount"] for r in answer["refunds"]] == [1100]
    assert "refund.created" in [event["kind"] for event in answer["timeline"]]


def test_a_refund_at_once_leaves_the_other_writes_in_one_flush(
    app: Flask, session: Any, shop: Shop
) -> None:
    _rules_seen(session, shop, app)
    answer, sent = _filed(shop, app, "L2", "UNWANTED")

    assert answer["status"] == "completed"
    assert len(sent) <= REFUNDED_AT_ONCE_STATEMENTS, "\n".join(sent)
    tables = ("return_requests", "refunds", "return_lines", "events", "outbox_messages")
    # Each row written once, as the step leaves it: the request completed, the line with its
    # refund, in the one statement of the flush.
    assert _writes(sent) == [f"INSERT INTO {table}" for table in tables], _writes(sent)
    assert len([s for s in sent if s.startswith("WITH")]) == 1, "\n".join(sent)
    # What is still on its way was read with the order's past, under the lock.
    assert not [s for s in sent if s.startswith("SELECT coalesce(sum(refunds.amount)")], sent


def test_the_answer_reads_no_refund_the_transaction_created(
    app: Flask, session: Any, shop: Shop
) -> None:
    publish_default_rules(session)
    _, sent = _filed(shop, app, "L2", "UNWANTED")

    assert not [s for s in sent if s.startswith("SELECT refunds.id")], "\n".join(sent)


@pytest.mark.parametrize("kept", [1, MOST_ROWS + 1])
def test_kept_lines_refunded_and_one_sent_back_are_written_in_order(
    app: Flask, session: Any, shop: Shop, kept: int
) -> None:
    """Lines setting different columns (a refund or none) go in one insert; past 16 lines
    the writes go one by one, each table after those its rows name."""
    publish_default_rules(session)
    mugs = [
        documents.order_line(
            f"M{n}", f"MUG-{n}", "波佐見焼マグ", 1100, "JPY", product_type="homeware"
        )
        for n in range(kept)
    ]
    denim = documents.order_line("D1", "DNM-30", "デニム", 12800, "JPY", product_type="apparel")
    order = shop.put_order(lines=[*mugs, denim])
    lines = [
        {"line_id": shop.line_id(order, line["external_id"]), "quantity": 1, "reason": "UNWANTED"}
        for line in mugs
    ] + [{"line_id": shop.line_id(order, "D1"), "quantity": 1, "reason": "SIZE_TOO_SMALL"}]
    with counted_statements(app) as sent:
        response = shop.file(shop.customer(), lines)

    assert response.status_code == 201, response.json
    assert response.json["status"] == "awaiting_parcel"
    assert _writes(sent).count("INSERT INTO return_lines") == 1, _writes(sent)
    [refund_id] = session.scalars(select(Refund.id)).all()
    stored = session.execute(select(ReturnLine.reason, ReturnLine.refund_id)).all()
    assert sorted(stored) == sorted([("UNWANTED", refund_id)] * kept + [("SIZE_TOO_SMALL", None)])
