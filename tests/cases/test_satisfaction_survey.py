"""The satisfaction survey: one e-mail when a case closes, one click per score, once per case."""

from __future__ import annotations

import email.header
import re
from datetime import timedelta
from email.message import Message

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from returns_service.cases.models import CaseFile
from returns_service.models import utcnow
from returns_service.returns.models import ReturnRequest
from tests.shop import Inbox, Shop, csrf

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


def _answer(client: FlaskClient, path: str) -> TestResponse:
    """What the link's page does in a browser: send its form, with the page's form token."""
    page = client.get(path).get_data(as_text=True)
    return client.post(path, data={"csrf": csrf(page)})


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

    answered = _answer(shop.client, path)
    assert answered.status_code == 200
    assert "ありがとうございました" in answered.get_data(as_text=True)
    again = _answer(shop.client, links[1].removeprefix("http://returns.test"))
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

    assert _answer(shop.client, f"/survey/{token}x/5").status_code == 404
    assert _answer(shop.client, f"/survey/{token}/9").status_code == 422
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
    assert _answer(shop.client, links[0].removeprefix("http://returns.test")).status_code == 200
    assert session.scalar(select(CaseFile.survey_score)) == 0


def test_a_case_closed_moments_ago_waits_for_its_survey(shop: Shop, inbox: Inbox) -> None:
    order = shop.put_order()
    lines = [{"line_id": shop.line_id(order, "L2"), "quantity": 1, "reason": "UNWANTED"}]
    shop.file(shop.customer(), lines)
    shop.run_jobs()
    assert not [s for s in inbox.subjects() if SUBJECT in s]


def test_an_answer_without_the_pages_form_token_is_refused(
    shop: Shop, inbox: Inbox, session: Session
) -> None:
    _closed_return(shop, session)
    shop.run_jobs()
    path = _links(inbox)[5].removeprefix("http://returns.test")

    refused = shop.client.post(path)

    assert refused.status_code == 400
    assert 'method="post"' in refused.get_data(as_text=True)  # the button to try again
    assert "data-send-at-once" not in refused.get_data(as_text=True)  # and no loop
    assert session.scalar(select(CaseFile.survey_score)) is None


def test_the_page_is_in_the_cases_language_or_the_one_asked_for_with_the_pages_headers(
    shop: Shop, inbox: Inbox, session: Session
) -> None:
    _closed_return(shop, session)
    shop.run_jobs()
    path = _links(inbox)[3].removeprefix("http://returns.test")

    japanese = shop.client.get(path)
    english = shop.client.get(f"{path}?lang=en")

    assert '<html lang="ja">' in japanese.get_data(as_text=True)
    assert "この評価で回答する" in japanese.get_data(as_text=True)
    assert '<html lang="en">' in english.get_data(as_text=True)
    assert "Answer with this score" in english.get_data(as_text=True)
    assert "default-src 'self'" in japanese.headers["Content-Security-Policy"]
    # The policy refuses inline scripts: the page's script is a file.
    assert re.findall(r"<script[^>]*>", japanese.get_data(as_text=True)) == [
        '<script src="/static/survey.js">'
    ]
    answered = shop.client.post(
        f"{path}?lang=en", data={"csrf": csrf(english.get_data(as_text=True))}
    )
    assert "Thank you for your answer" in answered.get_data(as_text=True)
