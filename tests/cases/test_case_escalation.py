"""Overdue cases are escalated once: flagged, the agents e-mailed, ``case.overdue`` sent."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.auth.models import Role
from returns_service.cases.models import CaseFile
from tests.cases.test_cases_api import _file, backdate
from tests.shop import Inbox, Shop, Subscriber, add_staff


def test_the_worker_escalates_an_overdue_case_once(
    shop: Shop, inbox: Inbox, subscriber: Subscriber, session: Session
) -> None:
    add_staff(session, "aoi@shop.example", Role.AGENT, locale="ja")
    add_staff(session, "sam@shop.example", Role.ADMIN, locale="en")
    add_staff(session, "wh@shop.example", Role.WAREHOUSE)
    subscriber.subscribe("case.overdue")
    late = _file(shop, "#5001", "5001", "L4", "WRONG_ITEM")
    on_time = _file(shop, "#5002", "5002", "L4", "UNWANTED")
    backdate(session, late, 10)

    shop.run_jobs()  # the periodic round escalates; the mail and webhook jobs then run

    assert subscriber.events() == ["case.overdue"]
    data = subscriber.data("case.overdue")
    assert data["reference"] == late and data["priority"] == "urgent"
    assert data["escalated_for"] == ["first_response", "resolution"]
    assert data["order_number"] == "#5001" and data["kind"] == "return"
    [ja_subject] = inbox.subjects("aoi@shop.example")
    assert ja_subject == "【対応期限超過】1件のお問い合わせが期限を過ぎています"
    assert inbox.subjects("sam@shop.example") == ["1 case is past the promised time"]
    assert inbox.subjects("wh@shop.example") == []
    body = next(m for m in inbox.messages if "aoi@" in m["To"]).get_payload(decode=True)
    assert f"[緊急] {late}".encode() in body and on_time.encode() not in body
    flagged = session.scalars(select(CaseFile)).all()
    assert [f.response_escalated_at is not None for f in flagged] == [True]
    assert flagged[0].resolution_escalated_at is not None

    shop.run_jobs()  # a second round finds nothing new

    assert subscriber.events() == ["case.overdue"]
    assert len(inbox.subjects("aoi@shop.example")) == len(inbox.subjects("sam@shop.example")) == 1
    listed = shop.client.get("/api/v1/cases?overdue=true", headers=shop.agent).json
    assert [c["reference"] for c in listed] == [late]
