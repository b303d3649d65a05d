"""Each kind of case has its page and its actions, with the customer, order and history."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from returns_service.auth.models import Role
from returns_service.cancellations.models import Cancellation, CancellationStatus
from returns_service.cases.models import CaseFile, CaseNote
from returns_service.events import Event
from returns_service.refunds.models import Refund
from returns_service.returns.models import Exchange, ExchangeStatus, ReturnRequest
from tests.cases.test_cases_api import _file
from tests.shop import Shop, add_staff, csrf, sign_in
from tests.staff.case_helpers import pending_stop, subscription_flow


def _signed_in(app: Flask, session: Session, email: str, role: Role, locale: str = "en"):
    add_staff(session, email, role, locale=locale)
    return sign_in(app.test_client(), email)


def test_a_cancellation_waiting_for_the_warehouse_is_stopped_by_hand(
    app: Flask, session: Session, shop: Shop
) -> None:
    stop = pending_stop(shop)
    agent = _signed_in(app, session, "aiko@shop.example", Role.AGENT, "ja")
    url = f"/staff/cancellations/{stop['id']}"

    page = agent.get(url).get_data(as_text=True)
    assert 'id="warehouse-answer"' in page
    assert "倉庫の出荷停止待ち" in page  # the state in the staff member's language
    assert "佐藤 花子" in page and "hanako@example.jp" in page
    assert 'id="approve"' not in page  # not in review: only the warehouse's answer is asked
    answered = agent.post(
        f"{url}/warehouse-answer", data={"csrf": csrf(page), "answer": "stopped", "note": "電話"}
    )

    assert answered.status_code == 302 and answered.headers["Location"] == url
    session.expire_all()
    cancellation = session.get(Cancellation, stop["id"])
    assert cancellation.status is CancellationStatus.CANCELLED
    refund = session.scalar(select(Refund).where(Refund.cancellation_id == stop["id"]))
    assert refund is not None
    after = agent.get(url).get_data(as_text=True)
    assert "倉庫で出荷を止めました" in after  # the timeline in words, not codes
    assert "warehouse.stopped" not in after
    assert re.search(r'id="refund-status">[^<]+<', after)
    assert "￥" in after or "¥" in after
    again = agent.post(f"{url}/warehouse-answer", data={"csrf": csrf(after), "answer": "stopped"})
    assert again.status_code == 302  # the same answer twice changes nothing


def test_too_late_offers_the_customer_a_return(app: Flask, session: Session, shop: Shop) -> None:
    stop = pending_stop(shop)
    warehouse = _signed_in(app, session, "soko@shop.example", Role.WAREHOUSE)
    url = f"/staff/cancellations/{stop['id']}"
    page = warehouse.get(url).get_data(as_text=True)

    warehouse.post(f"{url}/warehouse-answer", data={"csrf": csrf(page), "answer": "too_late"})

    session.expire_all()
    assert session.get(Cancellation, stop["id"]).status is CancellationStatus.REFUSED
    kinds = session.scalars(select(Event.kind).where(Event.subject_type == "cancellation"))
    assert "warehouse.not_stopped" in list(kinds)


def test_a_cancellation_in_review_is_approved_or_rejected_with_a_message(
    app: Flask, session: Session, shop: Shop
) -> None:
    first, second = pending_stop(shop), pending_stop(shop, "6002", "#6002")
    session.execute(
        update(Cancellation)
        .where(Cancellation.id.in_([first["id"], second["id"]]))
        .values(status=CancellationStatus.REVIEW)
    )
    session.commit()
    agent = _signed_in(app, session, "aiko@shop.example", Role.AGENT)
    page = agent.get(f"/staff/cancellations/{first['id']}").get_data(as_text=True)
    assert 'id="approve"' in page and 'id="reject"' in page

    empty = agent.post(
        f"/staff/cancellations/{second['id']}/reject", data={"csrf": csrf(page), "message": " "}
    )
    assert empty.status_code == 422
    agent.post(f"/staff/cancellations/{first['id']}/approve", data={"csrf": csrf(page)})
    agent.post(
        f"/staff/cancellations/{second['id']}/reject",
        data={"csrf": csrf(page), "message": "発送済みのため返品をご利用ください"},
    )

    session.expire_all()
    assert session.get(Cancellation, first["id"]).status is CancellationStatus.CANCELLED
    assert session.get(Cancellation, second["id"]).status is CancellationStatus.REFUSED


def test_a_warehouse_member_may_not_decide_a_cancellation(
    app: Flask, session: Session, shop: Shop
) -> None:
    stop = pending_stop(shop)
    session.execute(update(Cancellation).values(status=CancellationStatus.REVIEW))
    session.commit()
    warehouse = _signed_in(app, session, "soko@shop.example", Role.WAREHOUSE)
    page = warehouse.get(f"/staff/cancellations/{stop['id']}").get_data(as_text=True)

    refused = warehouse.post(
        f"/staff/cancellations/{stop['id']}/approve", data={"csrf": csrf(page)}
    )

    assert refused.status_code == 403
    anonymous = app.test_client().get(f"/staff/cancellations/{stop['id']}")
    assert anonymous.status_code == 302


def test_a_subscription_cancellation_shows_its_reason_offers_and_outcome(
    app: Flask, session: Session, shop: Shop
) -> None:
    flow = subscription_flow(shop)
    agent = _signed_in(app, session, "aiko@shop.example", Role.AGENT, "ja")

    page = agent.get(f"/staff/subscriptions/{flow['id']}").get_data(as_text=True)

    assert 'id="flow-reason">商品が余っている<' in page
    assert re.search(r'<ul id="offers"><li>', page)
    assert "お客様はまだお選びになっていません。" in page
    assert "定期便の解約手続き開始" in page  # the timeline's first entry, translated
    assert "<li>ヤマト運輸 4000" in page and "yamato" not in page  # the carrier by its name
    assert agent.get("/staff/subscriptions/99999").status_code == 404


def test_an_exchange_waiting_to_ship_is_marked_shipped_with_its_tracking(
    app: Flask, session: Session, shop: Shop
) -> None:
    rma = _file(shop, "#5001", "5001", "L1", "SIZE_TOO_SMALL")
    request = session.scalar(select(ReturnRequest).where(ReturnRequest.rma == rma))
    line = request.lines[0]
    session.add(
        Exchange(
            return_id=request.id,
            return_line_id=line.id,
            sku="DNM-32",
            quantity=1,
            status=ExchangeStatus.SHIPMENT_REQUESTED,
        )
    )
    session.commit()
    exchange = session.scalar(select(Exchange))
    warehouse = _signed_in(app, session, "soko@shop.example", Role.WAREHOUSE)
    page = warehouse.get(f"/staff/returns/{rma}").get_data(as_text=True)
    assert f'id="shipped-{exchange.id}"' in page
    url = f"/staff/returns/{rma}/exchanges/{exchange.id}/shipped"

    assert warehouse.post(url, data={"csrf": csrf(page), "carrier": ""}).status_code == 422
    shipped = warehouse.post(
        url, data={"csrf": csrf(page), "carrier": "yamato", "tracking_number": "4000-1111"}
    )

    assert shipped.status_code == 302
    session.expire_all()
    done = session.get(Exchange, exchange.id)
    assert (done.status, done.carrier, done.tracking_number) == (
        ExchangeStatus.SHIPPED,
        "yamato",
        "4000-1111",
    )
    assert warehouse.get("/staff/scan?code=4000-1111").headers["Location"] == (
        f"/staff/returns/{rma}"
    )


def test_take_assign_release_and_notes_on_any_case(
    app: Flask, session: Session, shop: Shop
) -> None:
    stop = pending_stop(shop)
    add_staff(session, "ken@shop.example", Role.AGENT)
    agent = _signed_in(app, session, "aiko@shop.example", Role.AGENT)
    ref = f"cancellation-{stop['id']}"
    page = agent.get(f"/staff/cancellations/{stop['id']}").get_data(as_text=True)
    token = csrf(page)

    def assignee() -> str | None:
        session.expire_all()
        return session.scalar(select(CaseFile.assignee).where(CaseFile.subject_id == stop["id"]))

    assert agent.post(f"/staff/cases/{ref}/take", data={"csrf": token}).status_code == 302
    assert assignee() == "aiko@shop.example"
    agent.post(f"/staff/cases/{ref}/assign", data={"csrf": token, "assignee": "ken@shop.example"})
    assert assignee() == "ken@shop.example"
    stranger = agent.post(
        f"/staff/cases/{ref}/assign", data={"csrf": token, "assignee": "who@else.example"}
    )
    assert stranger.status_code == 404 and assignee() == "ken@shop.example"
    agent.post(f"/staff/cases/{ref}/release", data={"csrf": token})
    assert assignee() is None
    agent.post(f"/staff/cases/{ref}/note", data={"csrf": token, "body": "倉庫に電話済み"})
    note = session.scalar(select(CaseNote))
    assert (note.author, note.body) == ("aiko@shop.example", "倉庫に電話済み")
    assert "倉庫に電話済み" in agent.get(f"/staff/cancellations/{stop['id']}").get_data(
        as_text=True
    )
    assert agent.post(f"/staff/cases/{ref}/note", data={"body": "x"}).status_code == 400
    assert agent.post("/staff/cases/nothing-1/take", data={"csrf": token}).status_code == 404


def test_a_return_page_shows_the_whole_picture_in_the_staff_language(
    app: Flask, session: Session, shop: Shop
) -> None:
    rma = _file(shop, "#5001", "5001", "L4", "UNWANTED")
    japanese = _signed_in(app, session, "aiko@shop.example", Role.AGENT, "ja")
    english = _signed_in(app, session, "emily@shop.example", Role.WAREHOUSE, "en")

    ja = japanese.get(f"/staff/returns/{rma}").get_data(as_text=True)
    en = english.get(f"/staff/returns/{rma}").get_data(as_text=True)

    # The rules' reason for a person, in each one's language; the facts under their labels.
    assert "高額の返品です（10万円以上）。" in ja
    assert "High-value return (100,000 yen or more)." in en
    assert "High-value" not in ja  # on the timeline too: its entry keeps both languages
    assert "ルール" in ja and "お届け済み" in ja  # who decided, and the parcel, in words
    assert "is_final_sale" not in ja and "is_final_sale=" not in en
    assert "セール品" in ja or "最終セール" in ja or "返品不可" in ja
    # Money as people write it; the customer with their history; the order and its parcel.
    assert re.search(r'id="order-total">[￥¥]\d{3},\d{3}<', ja)
    assert re.search(r"<dt>明細合計</dt><dd>[￥¥]128,000</dd>", ja)  # a fact that is money
    assert re.search(r"<dt>Line total</dt><dd>[￥¥]128,000</dd>", en)
    assert 'id="customer-name">佐藤 花子<' in ja
    assert "400011112222" in en
    assert "Sent to a person · Rules" in en and "return.review" not in en


def test_inspection_choices_are_in_japanese_on_japanese_pages(
    app: Flask, session: Session, shop: Shop
) -> None:
    rma = _file(shop, "#5001", "5001", "L1", "DEFECTIVE")
    warehouse = _signed_in(app, session, "soko@shop.example", Role.WAREHOUSE, "ja")
    line = session.scalar(select(ReturnRequest).where(ReturnRequest.rma == rma)).lines[0]
    page = warehouse.get(f"/staff/returns/{rma}").get_data(as_text=True)
    warehouse.post(
        f"/staff/returns/{rma}/receive", data={"csrf": csrf(page), f"received_{line.id}": "1"}
    )

    page = warehouse.get(f"/staff/returns/{rma}").get_data(as_text=True)

    for word in ("新品同様", "在庫に戻す", "廃棄"):
        assert word in page
    assert ">new<" not in page and ">restock<" not in page
