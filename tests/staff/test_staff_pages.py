"""The staff pages: sign in, the review queue, approving, receiving and inspecting."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.auth.models import Role
from returns_service.events import Event
from returns_service.returns.models import ReturnLine, ReturnRequest, ReturnStatus
from tests.shop import PASSWORD, Shop, add_staff, csrf, sign_in


def _without_token(page: str) -> str:
    """A page without its form tokens, which are signed with the time they are made."""
    return re.sub(r'name="csrf" value="[^"]+"', "", page)


def _file(shop: Shop, external_line: str, reason: str = "UNWANTED") -> str:
    order = shop.put_order()
    response = shop.file(
        shop.customer(),
        [{"line_id": shop.line_id(order, external_line), "quantity": 1, "reason": reason}],
    )
    assert response.status_code == 201, response.json
    return response.json["rma"]


def test_staff_sign_in_and_out(app: Flask, session: Session) -> None:
    add_staff(session, "aiko@shop.example", Role.AGENT, locale="ja")
    client = app.test_client()
    assert client.get("/staff/").headers["Location"].endswith("/staff/login")
    sign_in(client, "Aiko@shop.example")
    page = client.get("/staff/").get_data(as_text=True)
    assert "該当する案件はありません。" in page  # in the staff member's language
    assert "No case matches." in client.get("/staff/?lang=en").get_data(as_text=True)
    assert 'href="/staff/mail"' not in page  # the mailbox is for admins
    client.post("/staff/logout", data={"csrf": csrf(page)})
    assert client.get("/staff/").status_code == 302


@pytest.mark.parametrize(
    ("role", "ja", "en"),
    [
        (Role.ADMIN, "管理者", "Administrator"),
        (Role.AGENT, "カスタマーサポート", "Customer service"),
        (Role.WAREHOUSE, "倉庫", "Warehouse"),
    ],
)
def test_the_header_names_the_role_in_the_staff_members_language(
    app: Flask, session: Session, role: Role, ja: str, en: str
) -> None:
    add_staff(session, "aiko@shop.example", role, locale="ja")
    client = sign_in(app.test_client(), "aiko@shop.example")

    japanese = client.get("/staff/").get_data(as_text=True)
    english = client.get("/staff/?lang=en").get_data(as_text=True)

    assert f"aiko@shop.example ({ja})" in japanese
    assert f"aiko@shop.example ({en})" in english
    assert f"({role.value})" not in japanese + english


def test_a_wrong_password_and_an_unknown_email_read_the_same(app: Flask, session: Session) -> None:
    add_staff(session, "aiko@shop.example", Role.AGENT)
    client = app.test_client()
    token = csrf(client.get("/staff/login").get_data(as_text=True))
    wrong = client.post(
        "/staff/login", data={"csrf": token, "email": "aiko@shop.example", "password": "x"}
    )
    unknown = client.post(
        "/staff/login", data={"csrf": token, "email": "who@shop.example", "password": "x"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert _without_token(wrong.get_data(as_text=True)) == _without_token(
        unknown.get_data(as_text=True)
    )
    assert client.get("/staff/").status_code == 302


def test_an_inactive_staff_member_cannot_sign_in(app: Flask, session: Session) -> None:
    user = add_staff(session, "gone@shop.example", Role.ADMIN)
    user.active = False
    session.commit()
    client = app.test_client()
    token = csrf(client.get("/staff/login").get_data(as_text=True))
    response = client.post(
        "/staff/login",
        data={"csrf": token, "email": "gone@shop.example", "password": PASSWORD},
    )
    assert response.status_code == 401


def test_warehouse_staff_can_neither_approve_nor_open_the_rules(
    app: Flask, session: Session, shop: Shop
) -> None:
    rma = _file(shop, "L4")
    add_staff(session, "soko@shop.example", Role.WAREHOUSE)
    client = sign_in(app.test_client(), "soko@shop.example")
    page = client.get(f"/staff/returns/{rma}").get_data(as_text=True)
    assert 'id="approve"' not in page
    assert client.post(f"/staff/returns/{rma}/approve", data={"csrf": csrf(page)}).status_code == (
        403
    )
    assert client.get("/staff/rules").status_code == 403
    assert session.scalar(select(ReturnRequest.status)) is ReturnStatus.REVIEW


def test_an_agent_approves_a_review_from_the_page(app: Flask, session: Session, shop: Shop) -> None:
    rma = _file(shop, "L4")
    add_staff(session, "aiko@shop.example", Role.AGENT)
    client = sign_in(app.test_client(), "aiko@shop.example")
    queue = client.get("/staff/").get_data(as_text=True)
    assert f'href="/staff/returns/{rma}"' in queue
    assert "#5001" in queue
    page = client.get(f"/staff/returns/{rma}").get_data(as_text=True)
    assert "銅のやかん" in page
    response = client.post(
        f"/staff/returns/{rma}/approve", data={"csrf": csrf(page), "message": "photos checked"}
    )
    assert response.status_code == 302
    assert session.scalar(select(ReturnRequest.status)) is ReturnStatus.AWAITING_PARCEL
    approved = session.scalar(select(Event).where(Event.kind == "return.approved"))
    assert approved.actor == "staff:aiko@shop.example"
    assert approved.message == "photos checked"
    assert "staff:aiko@shop.example" in client.get(f"/staff/returns/{rma}").get_data(as_text=True)


def test_a_rejection_without_a_message_is_shown_on_the_page(
    app: Flask, session: Session, shop: Shop
) -> None:
    rma = _file(shop, "L4")
    add_staff(session, "aiko@shop.example", Role.AGENT)
    client = sign_in(app.test_client(), "aiko@shop.example")
    page = client.get(f"/staff/returns/{rma}").get_data(as_text=True)
    response = client.post(f"/staff/returns/{rma}/reject", data={"csrf": csrf(page)})
    assert response.status_code == 422
    assert "a rejection needs a message for the customer" in response.get_data(as_text=True)


def test_the_warehouse_receives_and_inspects_from_the_page(
    app: Flask, session: Session, shop: Shop
) -> None:
    rma = _file(shop, "L1", reason="DEFECTIVE")
    add_staff(session, "soko@shop.example", Role.WAREHOUSE)
    client = sign_in(app.test_client(), "soko@shop.example")
    assert rma in client.get("/staff/").get_data(as_text=True)  # the warehouse's table
    line = session.scalar(select(ReturnLine.id))
    page = client.get(f"/staff/returns/{rma}").get_data(as_text=True)
    assert f'name="received_{line}"' in page
    response = client.post(
        f"/staff/returns/{rma}/receive", data={"csrf": csrf(page), f"received_{line}": "1"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(f"/staff/returns/{rma}").get_data(as_text=True)
    assert f'name="condition_{line}"' in page
    response = client.post(
        f"/staff/returns/{rma}/inspect",
        data={
            "csrf": csrf(page),
            f"condition_{line}": "damaged",
            f"disposition_{line}": "dispose",
            f"notes_{line}": "seam torn",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    session.expire_all()
    returned = session.scalar(select(ReturnLine))
    assert returned.received_quantity == 1
    assert returned.inspection_notes == "seam torn"
    assert returned.disposition.value == "dispose"
    assert session.scalar(select(ReturnRequest.status)) is ReturnStatus.COMPLETED
    actors = session.scalars(
        select(Event.actor).where(Event.kind.in_(("return.received", "return.inspected")))
    ).all()
    assert actors == ["staff:soko@shop.example", "staff:soko@shop.example"]


def test_a_refused_operation_shows_its_message_with_409(
    app: Flask, session: Session, shop: Shop
) -> None:
    rma = _file(shop, "L4")  # in review: nothing to receive yet
    add_staff(session, "boss@shop.example", Role.ADMIN)
    client = sign_in(app.test_client(), "boss@shop.example")
    page = client.get(f"/staff/returns/{rma}").get_data(as_text=True)
    line = session.scalar(select(ReturnLine.id))
    response = client.post(
        f"/staff/returns/{rma}/receive", data={"csrf": csrf(page), f"received_{line}": "1"}
    )
    assert response.status_code == 409
    shown = response.get_data(as_text=True)
    assert 'role="alert"' in shown and "is review and cannot become received" in shown
    assert session.scalar(select(ReturnRequest.status)) is ReturnStatus.REVIEW


def test_numbers_show_the_last_30_days(app: Flask, session: Session, shop: Shop) -> None:
    _file(shop, "L4")
    add_staff(session, "aiko@shop.example", Role.AGENT)
    client = sign_in(app.test_client(), "aiko@shop.example")
    page = client.get("/staff/numbers").get_data(as_text=True)
    assert "KETTLE" in page
    assert "Last 30 days" in page


def test_an_unknown_return_is_a_page_with_404(app: Flask, session: Session) -> None:
    add_staff(session, "aiko@shop.example", Role.AGENT)
    client = sign_in(app.test_client(), "aiko@shop.example")
    response = client.get("/staff/returns/R-NOPE")
    assert response.status_code == 404
    assert "no return &#39;R-NOPE&#39;" in response.get_data(as_text=True)
    assert response.mimetype == "text/html"


def test_receiving_nothing_is_refused_on_the_page(app: Flask, session: Session, shop: Shop) -> None:
    rma = _file(shop, "L1", reason="DEFECTIVE")
    add_staff(session, "soko@shop.example", Role.WAREHOUSE)
    client = sign_in(app.test_client(), "soko@shop.example")
    page = client.get(f"/staff/returns/{rma}").get_data(as_text=True)
    response = client.post(f"/staff/returns/{rma}/receive", data={"csrf": csrf(page)})
    assert response.status_code == 422
    assert "at least one line" in response.get_data(as_text=True)
    assert session.scalar(select(ReturnRequest.status)) is ReturnStatus.AWAITING_PARCEL
