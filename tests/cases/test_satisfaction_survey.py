"""The satisfaction survey: one e-mail when a case closes, one click per score, once per case."""

from __future__ import annotations

import email.header
import re
from datetime import timedelta
from email.message import Message

from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from returns_service.cases.models import CaseFile
from returns_service.models import utcnow
from returns_service.returns.models import ReturnRequest
from tests.shop import Inbox, Shop

SUBJECT = "今回の対応はいかがでしたか"


def _closed_return(shop: Shop, session: Session) -> str:
    """A mug refunded without sending it back (closed at once), closed two hours ago."""
    order = shop.put_order()
    lines = [{"line_id": shop.line_id(order, "L2"), "quantity": 1, "reason": "UNWANTED"}]
    filed = shop.file(shop.customer(), lines)
    assert filed.json["status"] == "completed", filed.json
    rma = filed.json["rma"]
    session.execute(
        update(ReturnRequest)
        .where(ReturnRequest.rma == rma)
        .values(updated_at=utcnow() - timedelta(hours=2))
    )
    session.commit()
    return rma


def _links(inbox: Inbox) -> dict[int, str]:
    """The answer links of the one survey e-mail, by score."""
    [message] = [m for m in inbox.messages if _is_survey(m)]
    body = message.get_payload(decode=True).decode("utf-8")
    return {int(s): url for s, url in re.findall(r"^(\d+)：(http\S+)$", body, re.MULTILINE)}


def _is_survey(message: Message) -> bool:
    header = email.header.make_header(email.header.decode_header(message["Subject"]))
    return SUBJECT in str(header)


def test_a_closed_case_gets_one_survey_answered_once_by_one_click(
    shop: Shop, inbox: Inbox, session: Session
) -> None:
    rma = _closed_return(shop, session)

    shop.run_jobs()
    shop.run_jobs()  # a second round sends no second survey

    surveys = [s for s in inbox.subjects("hanako@example.jp") if SUBJECT in s]
    assert surveys == [f"{SUBJECT}（{rma}）"]
    links = _links(inbox)
    assert sorted(links) == [1, 2, 3, 4, 5]
    path = links[4].removeprefix("http://returns.test")

    page = shop.client.get(path)  # what a mail scanner fetching the link sees: no answer yet
    assert page.status_code == 200 and 'method="post"' in page.get_data(as_text=True)
    assert session.scalar(select(CaseFile.survey_score)) is None

    answered = shop.client.post(path)
    assert answered.status_code == 200
    assert "ありがとうございました" in answered.get_data(as_text=True)
    again = shop.client.post(links[1].removeprefix("http://returns.test"))
    assert again.status_code == 409
    assert "すでにご回答" in again.get_data(as_text=True)
    session.expire_all()
    record = session.scalars(select(CaseFile)).one()
    assert (record.survey_scale, record.survey_score) == ("csat", 4)
    assert record.survey_answered_at is not None


def test_forged_links_and_scores_off_the_scale_are_refused(
    shop: Shop, inbox: Inbox, session: Session
) -> None:
    _closed_return(shop, session)
    shop.run_jobs()
    path = _links(inbox)[5].removeprefix("http://returns.test")
    token = path.split("/")[2]

    assert shop.client.post(f"/survey/{token}x/5").status_code == 404
    assert shop.client.post(f"/survey/{token}/9").status_code == 422
    assert session.scalar(select(CaseFile.survey_score)) is None


def test_nps_by_setting(app: Flask, shop: Shop, inbox: Inbox, session: Session) -> None:
    _closed_return(shop, session)
    saved = app.config["SURVEY_SCALE"]
    app.config["SURVEY_SCALE"] = "nps"
    try:
        shop.run_jobs()
    finally:
        app.config["SURVEY_SCALE"] = saved
    links = _links(inbox)
    assert sorted(links) == list(range(11))
    assert shop.client.post(links[0].removeprefix("http://returns.test")).status_code == 200
    assert session.scalar(select(CaseFile.survey_score)) == 0


def test_a_case_closed_moments_ago_waits_for_its_survey(shop: Shop, inbox: Inbox) -> None:
    order = shop.put_order()
    lines = [{"line_id": shop.line_id(order, "L2"), "quantity": 1, "reason": "UNWANTED"}]
    shop.file(shop.customer(), lines)
    shop.run_jobs()
    assert not [s for s in inbox.subjects() if SUBJECT in s]
