"""Every error a customer can meet on the portal is a page in their language with a way on;
the API keeps answering JSON."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from redis.exceptions import ConnectionError as RedisConnectionError
from werkzeug.exceptions import Forbidden

from returns_service.errors import InvalidInput
from tests.portal.cancel_pages import csrf

TITLES = {
    400: {"ja": "お申し込みを読み取れませんでした", "en": "We could not read that request"},
    401: {"ja": "ご注文をもう一度表示してください", "en": "Please open your order again"},
    403: {"ja": "このページは表示できません", "en": "This page is not open to you"},
    404: {"ja": "ページが見つかりません", "en": "We could not find that page"},
    413: {"ja": "送信された内容が大きすぎます", "en": "What you sent is too large"},
    422: {"ja": "入力内容をご確認ください", "en": "Please check what you entered"},
    429: {"ja": "お試しの回数が多すぎます", "en": "Too many attempts"},
    500: {"ja": "当店のシステムで問題が発生しました", "en": "Something went wrong on our side"},
    503: {
        "ja": "ただいま一時的にご利用いただけません",
        "en": "The service is briefly unavailable",
    },
}
LANGUAGES = ("ja", "en")


def _assert_page(response, status: int, lang: str) -> str:  # noqa: ANN001
    assert response.status_code == status
    assert response.mimetype == "text/html"
    page = html.unescape(response.get_data(as_text=True))
    assert f'<html lang="{lang}">' in page
    assert f"<h1>{TITLES[status][lang]}</h1>" in page
    assert re.search(r'<a class="button" id="forward" href="/(order)?">', page)  # a way on
    if lang == "ja":
        text = re.sub(r"<[^>]+>|Demo Shop|English", " ", page.split("<main>")[1])
        assert not re.search(r"[A-Za-z]{2,}", text), text
    return page


def _headers(lang: str) -> dict[str, str]:
    return {"Accept-Language": lang}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_form_without_its_token_is_a_400_page(app: Flask, lang: str) -> None:
    response = app.test_client().post("/cancel", data={"scope": "whole"}, headers=_headers(lang))
    page = _assert_page(response, 400, lang)
    assert {"ja": "フォームの有効期限", "en": "This form has expired"}[lang] in page


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_lost_session_is_a_401_page_that_opens_the_order_again(app: Flask, lang: str) -> None:
    response = app.test_client().get("/cancel", headers=_headers(lang))
    page = _assert_page(response, 401, lang)
    assert 'id="forward" href="/"' in page


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_unknown_page_is_a_404_page_and_the_api_keeps_json(app: Flask, lang: str) -> None:
    client = app.test_client()
    _assert_page(client.get("/no/such/page", headers=_headers(lang)), 404, lang)
    api = client.get("/api/v1/no-such-thing", headers=_headers(lang))
    assert api.status_code == 404
    assert api.is_json and api.json["code"] == 404


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_body_too_large_is_a_413_page(app: Flask, lang: str) -> None:
    too_large = "x" * (app.config["MAX_JSON_BYTES"] + 1)
    response = app.test_client().post(
        "/cancel", data={"comment": too_large}, headers=_headers(lang)
    )
    page = _assert_page(response, 413, lang)
    assert {"ja": "1枚5メガバイトまで", "en": "at most 5 MB"}[lang] in page


@pytest.mark.parametrize("lang", LANGUAGES)
def test_too_many_attempts_is_a_429_page_saying_when_to_try_again(
    app: Flask, lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "PORTAL_RATE_LIMIT", "2 per minute")
    client = app.test_client()
    start = client.get("/", headers=_headers(lang)).get_data(as_text=True)
    data = {"csrf": csrf(start), "order_number": "#1", "contact": "a@example.jp"}
    for _ in range(2):
        assert client.post("/", data=data, headers=_headers(lang)).status_code == 200
    response = client.post("/", data=data, headers=_headers(lang))
    page = _assert_page(response, 429, lang)
    assert int(response.headers["Retry-After"]) > 0
    when = {
        "ja": r"\d+\s?(秒|分)後に、もう一度",
        "en": r"Please try again in \d+ (second|minute)s?\.",
    }[lang]
    assert re.search(when, page), page
    api = client.post("/api/v1/portal/session", json={}, headers=_headers(lang))
    assert api.is_json or api.status_code != 429


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(
    ("error", "status"),
    [
        (Forbidden(), 403),
        (InvalidInput("the request is not valid"), 422),
        (RedisConnectionError("Redis is away"), 503),
    ],
)
def test_refusals_and_outages_met_in_a_page_are_pages(
    app: Flask, lang: str, error: Exception, status: int
) -> None:
    with app.test_request_context("/order", headers=_headers(lang)):
        response = app.make_response(app.handle_user_exception(error))
    page = _assert_page(response, status, lang)
    assert "the request is not valid" not in page
    if status == 503:
        assert response.headers["Retry-After"] == "10"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_fault_is_a_500_page(app: Flask, lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    with app.test_request_context("/cancel", headers=_headers(lang)):
        response = app.make_response(app.handle_exception(RuntimeError("boom")))
    page = _assert_page(response, 500, lang)
    assert "boom" not in page


def test_the_api_keeps_its_json_for_the_same_errors(app: Flask) -> None:
    with app.test_request_context("/api/v1/returns"):
        response = app.make_response(app.handle_user_exception(InvalidInput("bad", field="x")))
    assert response.status_code == 422
    assert response.json["message"] == "bad"
