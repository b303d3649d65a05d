"""A request left to a person says by when the desk will reply, in the shop's business time."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask

from business_time import ShopCalendar
from returns_service.notifications.formatting import format_date
from tests.cases.test_cases_api import _file
from tests.shop import Inbox, Shop


def _body(inbox: Inbox) -> str:
    (message,) = inbox.messages
    return message.get_payload(decode=True).decode()


def _promised_date(app: Flask, filed_at: datetime) -> str:
    config = app.config
    calendar = ShopCalendar.from_settings(
        config["TIMEZONE"], config["BUSINESS_HOURS"], config["CLOSED_DAYS"]
    )
    due = calendar.add_business_days(filed_at, config["SLA_FIRST_RESPONSE_BUSINESS_DAYS"])
    return format_date(due, "ja", config["TIMEZONE"])


def test_a_return_in_review_is_told_the_reply_date_in_its_confirmation(
    app: Flask, shop: Shop, inbox: Inbox
) -> None:
    rma = _file(shop, "#5001", "5001", "L4", "WRONG_ITEM")  # high value: left to a person
    assert shop.get(rma)["status"] == "review"
    filed_at = datetime.fromisoformat(shop.get(rma)["created_at"]).astimezone(UTC)

    shop.run_jobs()

    body = _body(inbox)
    assert f"1営業日以内（{_promised_date(app, filed_at)}まで）にご連絡いたします。" in body, body


def test_a_return_decided_at_once_makes_no_promise(shop: Shop, inbox: Inbox) -> None:
    rma = _file(shop, "#5001", "5001", "L1", "UNWANTED")
    assert shop.get(rma)["status"] != "review"

    shop.run_jobs()

    assert all("営業日以内" not in m.get_payload(decode=True).decode() for m in inbox.messages)
