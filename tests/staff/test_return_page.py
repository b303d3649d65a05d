"""A return's staff page reads each table once, however much the return holds."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from bench.inprocess import counted_statements
from returns_service.auth.models import Role
from returns_service.refunds.models import Refund, RefundMethod, RefundStatus
from returns_service.returns.models import ReturnRequest
from returns_service.staff.case_context import customer_history, panel_and_staff
from tests.cases.test_cases_api import _file
from tests.shop import Shop, add_staff, csrf, sign_in

#: The return with its case's file, pickup, order, customer, shipments, the customer's
#: history and the staff to assign to; the order's lines with the return's lines and their
#: replacements; the timeline, notes and refunds (the staff member and the staff to assign
#: to, read by the first page, are kept for a few seconds).
PAGE_STATEMENTS = 3


def test_the_return_page_reads_each_table_once_however_many_lines_and_events(
    app: Flask, session: Session, shop: Shop
) -> None:
    add_staff(session, "aiko@shop.example", Role.AGENT)
    agent = sign_in(app.test_client(), "aiko@shop.example")
    small = _file(shop, "#5001", "5001", "L4", "UNWANTED")
    agent.get(f"/staff/returns/{small}")  # reads the member and the staff, kept a while
    with counted_statements(app) as one_line:
        assert agent.get(f"/staff/returns/{small}").status_code == 200

    order = shop.put_order("5002", number="#5002")
    lines = [
        {"line_id": shop.line_id(order, line), "quantity": 1, "reason": reason}
        for line, reason in (("L1", "SIZE_TOO_SMALL"), ("L2", "UNWANTED"), ("L4", "DEFECTIVE"))
    ]
    # The kettle is dear enough for a person to decide: the rules impose no way back on it.
    filed = shop.file(shop.customer("#5002"), lines, method={"type": "dropoff"})
    assert filed.status_code == 201, filed.json
    big = filed.json["rma"]
    page = agent.get(f"/staff/returns/{big}").get_data(as_text=True)
    ref = page.split("/staff/cases/", 1)[1].split("/", 1)[0]
    for body in ("お電話で確認済み", "写真を依頼"):
        agent.post(f"/staff/cases/{ref}/note", data={"csrf": csrf(page), "body": body})
    agent.post(f"/staff/cases/{ref}/take", data={"csrf": csrf(page)})
    with counted_statements(app) as three_lines:
        page = agent.get(f"/staff/returns/{big}").get_data(as_text=True)

    assert "写真を依頼" in page and 'id="assignee">aiko@shop.example<' in page
    assert page.count('<td class="photos">') == 3
    assert len(three_lines) == len(one_line) <= PAGE_STATEMENTS, three_lines


def test_the_assign_form_offers_the_active_staff_in_order(
    app: Flask, session: Session, shop: Shop
) -> None:
    for email in ("yui@shop.example", "aiko@shop.example", "ben@shop.example"):
        add_staff(session, email, Role.AGENT)
    add_staff(session, "left@shop.example", Role.AGENT).active = False
    session.commit()
    agent = sign_in(app.test_client(), "yui@shop.example")
    rma = _file(shop, "#5003", "5003", "L4", "UNWANTED")

    page = agent.get(f"/staff/returns/{rma}").get_data(as_text=True)

    select = page.split('id="assign-to"', 1)[1].split("</select>", 1)[0]
    assert re.findall(r'<option value="([^"]+)"', select) == [
        "aiko@shop.example",
        "ben@shop.example",
        "yui@shop.example",
    ]


def test_the_return_page_lists_its_refunds_in_order_beside_its_history(
    app: Flask, session: Session, shop: Shop
) -> None:
    add_staff(session, "aiko@shop.example", Role.AGENT)
    agent = sign_in(app.test_client(), "aiko@shop.example")
    rma = _file(shop, "#5004", "5004", "L4", "UNWANTED")
    request = session.scalar(select(ReturnRequest).where(ReturnRequest.rma == rma))
    for amount, method, status in (
        (1200, RefundMethod.ORIGINAL_PAYMENT, RefundStatus.SUCCEEDED),
        (300, RefundMethod.STORE_CREDIT, RefundStatus.PENDING),
    ):
        session.add(
            Refund(
                order_id=request.order_id,
                return_id=request.id,
                amount=amount,
                currency="JPY",
                method=method,
                provider="manual",
                status=status,
            )
        )
    session.commit()

    page = agent.get(f"/staff/returns/{rma}?lang=en").get_data(as_text=True)

    refunds = page.split('<ul id="refunds">', 1)[1].split("</ul>", 1)[0]
    assert re.findall(r"<li>([^<]+)</li>", refunds) == [
        "¥1,200 · Original payment method · Succeeded",
        "¥300 · Store credit · Pending",
    ]
    assert "Requested · Customer" in page.split('id="timeline"', 1)[1]


def test_the_customer_panel_counts_every_order_and_return_of_the_customer(
    app: Flask, session: Session, shop: Shop
) -> None:
    add_staff(session, "aiko@shop.example", Role.AGENT)
    agent = sign_in(app.test_client(), "aiko@shop.example")
    _file(shop, "#5005", "5005", "L4", "UNWANTED")
    rma = _file(shop, "#5006", "5006", "L1", "UNWANTED")
    request = session.scalar(select(ReturnRequest).where(ReturnRequest.rma == rma))
    # What the other case pages read for the same order, statement apart.
    panel, staff = panel_and_staff(request.order, customer_history(session, request.order))

    page = agent.get(f"/staff/returns/{rma}?lang=en").get_data(as_text=True)

    customer = page.split('id="customer"', 1)[1].split("</section>", 1)[0]
    assert (panel.orders, panel.returns, staff) == (2, 2, ["aiko@shop.example"])
    assert f"<dt>Orders</dt><dd>{panel.orders}</dd>" in customer
    assert f'id="customer-returns">{panel.returns} (' in customer
    assert f"¥{panel.spent:,}" in customer
