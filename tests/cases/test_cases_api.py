"""The cases API: every kind of case in one work list, its filters, assignment and notes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from returns_service.auth.models import Role
from returns_service.models import utcnow
from returns_service.returns.models import ReturnRequest
from tests.shop import TEST_SHOP, Shop


def _file(shop: Shop, number: str, external_id: str, line: str, reason: str) -> str:
    order = shop.put_order(external_id, number=number)
    customer = shop.customer(number)
    lines = [{"line_id": shop.line_id(order, line), "quantity": 1, "reason": reason}]
    response = shop.file(customer, lines)
    assert response.status_code == 201, response.json
    return response.json["rma"]


def backdate(session: Session, rma: str, days: int) -> None:
    """Make a return look filed ``days`` calendar days ago, with the due times it then had."""
    filed = utcnow() - timedelta(days=days)
    session.execute(
        update(ReturnRequest)
        .where(ReturnRequest.rma == rma)
        .values(created_at=filed, **TEST_SHOP.promised(filed))
    )
    session.commit()


def _work_list(shop: Shop, query: str = "") -> list[dict]:
    response = shop.client.get(f"/api/v1/cases{query}", headers=shop.agent)
    assert response.status_code == 200, response.json
    return response.json


def test_the_work_list_puts_urgent_first_and_aged_cases_before_fresh_normal_ones(
    shop: Shop, session: Session
) -> None:
    wrong = _file(shop, "#5001", "5001", "L4", "WRONG_ITEM")  # high value: review, urgent
    kept = _file(shop, "#5002", "5002", "L2", "UNWANTED")  # refunded at once: closed
    old = _file(shop, "#5003", "5003", "L4", "UNWANTED")  # review, normal
    fresh = _file(shop, "#5004", "5004", "L4", "SIZE_TOO_SMALL")  # review, normal
    backdate(session, old, 10)

    cases = _work_list(shop)

    assert [c["reference"] for c in cases] == [wrong, old, fresh]
    first, aged, new = cases
    assert (first["kind"], first["priority"], first["status"]) == ("return", "urgent", "review")
    assert (aged["priority"], aged["base_priority"], aged["aged"]) == ("high", "normal", True)
    assert aged["overdue"] and aged["overdue_for"] == ["first_response", "resolution"]
    assert (new["priority"], new["overdue"], new["assignee"]) == ("normal", False, None)
    for case in cases:
        assert case["first_responded_at"] is None  # the rules sent them to a person
        assert case["first_response_due_at"] < case["resolution_due_at"]

    closed = _work_list(shop, "?status=closed")
    assert [c["reference"] for c in closed] == [kept]
    # Decided by the rules at once: the first response was met when it arrived.
    assert closed[0]["first_responded_at"] is not None
    assert closed[0]["first_responded_at"] <= closed[0]["first_response_due_at"]


def test_filters(shop: Shop, session: Session) -> None:
    wrong = _file(shop, "#5001", "5001", "L4", "WRONG_ITEM")
    old = _file(shop, "#5003", "5003", "L4", "UNWANTED")
    backdate(session, old, 10)

    assert [c["reference"] for c in _work_list(shop, "?priority=urgent")] == [wrong]
    assert [c["reference"] for c in _work_list(shop, "?overdue=true")] == [old]
    assert [c["reference"] for c in _work_list(shop, "?overdue=false")] == [wrong]
    assert _work_list(shop, "?kind=exchange") == []
    assert len(_work_list(shop, "?kind=return&status=review")) == 2
    assert _work_list(shop, "?kind=order_cancellation&status=all") == []
    bad = shop.client.get("/api/v1/cases?kind=complaint", headers=shop.agent)
    assert bad.status_code == 422 and "kind" in bad.json["errors"]["query"]
    assert shop.client.get("/api/v1/cases?status=lost", headers=shop.agent).status_code == 422


def test_only_staff_see_cases(shop: Shop) -> None:
    _file(shop, "#5001", "5001", "L4", "WRONG_ITEM")
    assert shop.client.get("/api/v1/cases", headers=shop.customer("#5001")).status_code == 403
    assert shop.client.get("/api/v1/cases").status_code == 401
    assert shop.client.get("/api/v1/cases", headers=shop.warehouse).status_code == 200


def test_cancellations_are_cases_too(shop: Shop) -> None:
    shop.put_order("6001", number="#6001", delivered_days_ago=None)
    response = shop.client.post(
        "/api/v1/cancellations",
        json={"reason": "CHANGED_MIND"},
        headers=shop.customer("#6001"),
    )
    assert response.status_code == 201, response.json

    cases = _work_list(shop, "?kind=order_cancellation&status=all")
    assert [(c["kind"], c["reference"]) for c in cases] == [("order_cancellation", "#6001")]
    assert cases[0]["status"] == response.json["status"]


def test_assign_release_and_notes(shop: Shop, token_for: Callable[[Role], dict[str, str]]) -> None:
    _file(shop, "#5001", "5001", "L4", "WRONG_ITEM")
    ref = _work_list(shop)[0]["id"]
    url = f"/api/v1/cases/{ref}"

    taken = shop.client.put(f"{url}/assignee", json={}, headers=shop.agent)
    assert taken.status_code == 200, taken.json
    assert taken.json["assignee"] == "token:test-agent"
    other = token_for(Role.ADMIN)
    refused = shop.client.put(f"{url}/assignee", json={"assignee": "ken@example.jp"}, headers=other)
    assert refused.status_code == 409
    assert _work_list(shop, "?assignee=token:test-agent")[0]["id"] == ref
    forced = shop.client.put(
        f"{url}/assignee", json={"assignee": "ken@example.jp", "force": True}, headers=other
    )
    assert forced.json["assignee"] == "ken@example.jp"
    released = shop.client.delete(f"{url}/assignee", headers=shop.agent)
    assert released.status_code == 200 and released.json["assignee"] is None

    note = shop.client.post(f"{url}/notes", json={"body": "お客様に電話済み"}, headers=shop.agent)
    assert note.status_code == 201, note.json
    blank = shop.client.post(f"{url}/notes", json={"body": "  "}, headers=shop.agent)
    assert blank.status_code == 422
    assert blank.json["errors"]["json"]["body"] == ["a note needs some text"]
    detail = shop.client.get(url, headers=shop.agent).json
    assert [(n["author"], n["body"]) for n in detail["notes"]] == [
        ("token:test-agent", "お客様に電話済み")
    ]
    assert shop.client.get("/api/v1/cases/return-999", headers=shop.agent).status_code == 404
    assert shop.client.get("/api/v1/cases/bogus", headers=shop.agent).status_code == 404


def test_closed_cases_are_read_by_period(shop: Shop, session: Session) -> None:
    kept = _file(shop, "#5002", "5002", "L2", "UNWANTED")
    backdate(session, kept, 40)

    assert _work_list(shop, "?status=closed") == []  # the last 30 days by default
    found = _work_list(shop, "?status=closed&since=2020-01-01T00:00:00Z")
    assert [c["reference"] for c in found] == [kept]


def test_a_return_in_review_states_the_promise_with_its_date(shop: Shop) -> None:
    from datetime import datetime

    from business_time import ShopCalendar
    from returns_service.notifications.email import format_date

    order = shop.put_order()
    lines = [{"line_id": shop.line_id(order, "L4"), "quantity": 1, "reason": "UNWANTED"}]
    created = shop.file(shop.customer(), lines).json
    assert created["status"] == "review"

    calendar = ShopCalendar.from_settings("Asia/Tokyo", "10:00-18:00", "12/29-1/3")
    due = calendar.add_business_days(datetime.fromisoformat(created["created_at"]), 1)
    when = f"{format_date(due, 'ja', 'Asia/Tokyo')} {due.strftime('%H:%M')}"
    assert created["next_steps"] == (
        f"担当者が内容を確認し、1営業日以内（{when}まで）にご連絡いたします。"
    )
    case = _work_list(shop)[0]
    assert datetime.fromisoformat(case["first_response_due_at"]) == due
