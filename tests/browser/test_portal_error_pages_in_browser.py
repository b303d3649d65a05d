"""Every error page a customer can meet, met in a real browser in Japanese and in English:
the right status, one language, a way on that works, axe-core, and a phone's 390 px.

Each error comes from real requests: a form whose token is gone, no session, another
customer's return, a photo over the limit, a refused form, too many lookups, photo storage
that cannot be written (500) and PostgreSQL cut off by a proxy (503). Only 403 has no road
on the customer pages; its page is the app's registered handler's answer, served to the
browser for a portal address.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from playwright.sync_api import Browser, Page, Response
from sqlalchemy import func, make_url, select
from sqlalchemy.orm import Session
from werkzeug.exceptions import Forbidden

from returns_service.returns.models import ReturnRequest
from tests.browser.conftest import assert_accessible
from tests.faults.conftest import Processes, TcpProxy, proxied, wait_for
from tests.portal.cancel_pages import put_cancellable
from tests.portal.test_cancel_error_pages import TITLES
from tests.portal.test_cancel_pages_languages import _check
from tests.shop import Shop

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LANGUAGES = [("ja", "ja-JP"), ("en", "en-US")]
PNG = base64.b64decode(  # a 1x1 image: photos are decoded, so it must be a real one
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)
MB = 1024 * 1024


@pytest.fixture(params=LANGUAGES, ids=[lang for lang, _ in LANGUAGES])
def lang(request: pytest.FixtureRequest) -> str:
    """The page's language; the browser asks for it by its Accept-Language."""
    return request.param[0]


@pytest.fixture
def phone(browser: Browser, lang: str) -> Iterator[Page]:
    """A page on a 390 px phone whose browser speaks ``lang``."""
    context = browser.new_context(locale=dict(LANGUAGES)[lang], viewport=PHONE)
    context.set_default_timeout(10000)
    page = context.new_page()
    yield page
    context.close()


def _one_language(page: Page, lang: str) -> None:
    words = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", page.content(), flags=re.S)
    _check(words, lang, page.url)


def _assert_error_page(page: Page, response: Response | None, status: int, lang: str) -> None:
    """The page is ``status``'s page in ``lang``, accessible and no wider than the phone."""
    assert response is not None and response.status == status, page.url
    assert page.get_attribute("[data-status]", "data-status") == str(status)
    assert page.inner_text("h1") == TITLES[status][lang]
    _one_language(page, lang)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)


def _follow_forward(page: Page, to: str) -> None:
    """The page's way on leads to a working page: ``to`` is ``order`` or ``start``."""
    with page.expect_navigation() as navigation:
        page.click("#forward")
    response = navigation.value
    assert response is not None and response.status == 200
    if to == "order":
        assert page.url.endswith("/order")
        page.wait_for_selector("#return-form")
    else:
        assert page.url.endswith("/")
        page.wait_for_selector("#order_number")


def _lookup(page: Page, number: str = "#5001", contact: str = "hanako@example.jp") -> Response:
    page.fill("#order_number", number)
    page.fill("#contact", contact)
    with page.expect_navigation() as navigation:
        page.click("button[type=submit]")
    response = navigation.value
    assert response is not None
    return response


def _open_order(page: Page, base: str, lang: str, number: str = "#5001", **kwargs: str) -> None:
    page.goto(f"{base}/?lang={lang}")
    assert _lookup(page, number, **kwargs).status == 200
    page.wait_for_url("**/order")


def _fill_return(page: Page, line: int, photo: dict[str, Any] | None = None) -> Response:
    """Return one of ``line`` for a refund, dropped off, with ``photo`` if given; send it."""
    page.select_option(f"#quantity_{line}", "1")
    page.select_option(f"#reason_{line}", "SIZE_TOO_SMALL")
    if photo is not None:
        page.set_input_files(f"#photo_{line}", photo)
    page.check("input[name=resolution][value=refund]")
    page.check("input[name=method][value=dropoff]")
    with page.expect_navigation() as navigation:
        page.click("#return-form button[type=submit]")
    response = navigation.value
    assert response is not None
    return response


def _photo(size: int) -> dict[str, Any]:
    return {"name": "seam.png", "mimeType": "image/png", "buffer": PNG + b"\0" * (size - len(PNG))}


def test_a_form_sent_after_its_token_is_gone_is_a_400_page(
    phone: Page, live_server: str, shop: Shop, lang: str
) -> None:
    put_cancellable(shop)
    _open_order(phone, live_server, lang, "#6001")
    phone.goto(f"{live_server}/cancel")
    phone.select_option("#reason", "CHANGED_MIND")
    phone.context.clear_cookies()  # the session, and the form's token with it, is gone
    with phone.expect_navigation() as navigation:
        phone.click("#review")
    _assert_error_page(phone, navigation.value, 400, lang)
    assert {"ja": "フォームの有効期限", "en": "This form has expired"}[lang] in phone.inner_text(
        "#error-text"
    )
    _follow_forward(phone, "start")
    # The form that opens an order says the same on its own page, with a fresh form.
    phone.context.clear_cookies()
    response = _lookup(phone, "#6001")
    assert response.status == 400
    _one_language(phone, lang)
    assert_accessible(phone)
    _open_order(phone, live_server, lang, "#6001")


def test_a_lost_session_is_a_page_that_opens_the_order_again(
    phone: Page, live_server: str, shop: Shop, lang: str
) -> None:
    put_cancellable(shop)
    response = phone.goto(f"{live_server}/cancel")
    _assert_error_page(phone, response, 401, lang)
    _follow_forward(phone, "start")
    assert _lookup(phone, "#6001").status == 200
    phone.wait_for_url("**/order")


def test_the_order_page_without_a_session_leads_to_the_form_that_opens_it(
    phone: Page, live_server: str, shop: Shop, lang: str
) -> None:
    shop.put_order()
    response = phone.goto(f"{live_server}/order")
    assert response is not None and response.status == 200
    assert phone.url == f"{live_server}/"
    _one_language(phone, lang)
    assert_accessible(phone)
    assert _lookup(phone).status == 200
    phone.wait_for_url("**/order")


def test_another_customers_return_and_an_unknown_address_are_404_pages(
    phone: Page, live_server: str, shop: Shop, lang: str
) -> None:
    first = shop.put_order()
    shop.put_order(external_id="other", number="#7001", email_address="other@example.jp")
    line = shop.line_id(first, "L1")
    rma = shop.file(shop.customer(), [{"line_id": line, "quantity": 1, "reason": "STYLE"}])
    _open_order(phone, live_server, lang, "#7001", contact="other@example.jp")
    for path in (f"/returns/{rma.json['rma']}", "/no/such/page"):
        response = phone.goto(live_server + path)
        _assert_error_page(phone, response, 404, lang)
        _follow_forward(phone, "order")


def test_a_photo_over_the_limit_is_a_413_page(
    phone: Page, live_server: str, shop: Shop, lang: str, configure: Callable[..., None]
) -> None:
    configure(MAX_PHOTO_BYTES=MB, MAX_PHOTOS_PER_REQUEST=1)  # a request carries at most 2 MB
    line = shop.line_id(shop.put_order(), "L1")
    _open_order(phone, live_server, lang)
    response = _fill_return(phone, line, _photo(3 * MB))
    _assert_error_page(phone, response, 413, lang)
    said = {"ja": "1枚1メガバイトまで", "en": "Each photo may be at most 1 MB"}[lang]
    assert said in phone.inner_text("#error-text")
    _follow_forward(phone, "order")


def test_a_refused_return_form_is_a_422_page_that_keeps_the_form(
    phone: Page, live_server: str, shop: Shop, lang: str, configure: Callable[..., None]
) -> None:
    configure(MAX_PHOTO_BYTES=MB)
    line = shop.line_id(shop.put_order(), "L1")
    _open_order(phone, live_server, lang)
    response = _fill_return(phone, line, _photo(MB + MB // 2))
    assert response.status == 422
    said = {"ja": "1メガバイト", "en": "at most 1 MB"}[lang]
    assert said in phone.inner_text(f"#photo_{line}-error")
    _one_language(phone, lang)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(phone)
    # The way on is the form itself, kept as it was sent: a smaller photo, and it is filed.
    assert _fill_return(phone, line, _photo(len(PNG))).status == 200
    phone.wait_for_url("**/returns/R-*")


def test_too_many_lookups_are_a_429_page_saying_when_to_try_again(
    phone: Page, live_server: str, shop: Shop, lang: str, configure: Callable[..., None]
) -> None:
    configure(PORTAL_RATE_LIMIT="2 per minute")
    shop.put_order()
    for _ in range(2):
        phone.goto(f"{live_server}/?lang={lang}")
        assert _lookup(phone, "#9999", "nobody@example.jp").status == 200
    phone.goto(f"{live_server}/?lang={lang}")
    response = _lookup(phone, "#9999", "nobody@example.jp")
    _assert_error_page(phone, response, 429, lang)
    assert int(response.headers["retry-after"]) > 0
    when = {"ja": r"\d+\s?(秒|分)後に", "en": r"Please try again in \d+ (second|minute)s?\."}
    assert re.search(when[lang], phone.inner_text("#error-text"))
    _follow_forward(phone, "start")


def test_photo_storage_that_cannot_be_written_is_a_500_page(
    phone: Page,
    live_server: str,
    shop: Shop,
    lang: str,
    configure: Callable[..., None],
    session: Session,
    tmp_path: Path,
) -> None:
    not_a_folder = tmp_path / "uploads"
    not_a_folder.write_bytes(b"")  # the disk gave the photos' folder's name to a file
    configure(UPLOAD_DIR=str(not_a_folder), PROPAGATE_EXCEPTIONS=False)
    line = shop.line_id(shop.put_order(), "L1")
    _open_order(phone, live_server, lang)
    response = _fill_return(phone, line, _photo(len(PNG)))
    _assert_error_page(phone, response, 500, lang)
    assert session.scalar(select(func.count()).select_from(ReturnRequest)) == 0
    _follow_forward(phone, "order")


def test_a_refusal_of_access_is_a_403_page(
    phone: Page, live_server: str, app: Flask, shop: Shop, lang: str
) -> None:
    # No customer page refuses with 403 today: the page is what the registered handler
    # answers, served by the browser's network layer for a portal address.
    shop.put_order()
    with app.test_request_context("/order", headers={"Accept-Language": lang}):
        answer = app.make_response(app.handle_user_exception(Forbidden()))
    phone.route(
        f"{live_server}/order",
        lambda route: route.fulfill(
            status=answer.status_code, headers=dict(answer.headers), body=answer.get_data()
        ),
        times=1,
    )
    response = phone.goto(f"{live_server}/order")
    _assert_error_page(phone, response, 403, lang)
    _follow_forward(phone, "start")
    _open_order(phone, live_server, lang)


@pytest.fixture
def cut_off_server(
    database_url: str, redis_url: str, tmp_path: Path
) -> Iterator[tuple[str, TcpProxy]]:
    """The service's own web server, reaching PostgreSQL through a proxy the test can cut."""
    database = make_url(database_url)
    proxy = TcpProxy((database.host or "127.0.0.1", database.port or 5432))
    running = Processes(tmp_path, database_url, redis_url)
    try:
        yield running.web(DATABASE_URL=proxied(database_url, proxy)), proxy
    finally:
        running.stop_all()
        proxy.cut()


def _ready(web: str) -> bool:
    try:
        return requests.get(f"{web}/readyz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def test_the_database_out_of_reach_is_a_503_page(
    phone: Page, cut_off_server: tuple[str, TcpProxy], shop: Shop, lang: str
) -> None:
    web, proxy = cut_off_server
    shop.put_order()
    phone.goto(f"{web}/?lang={lang}")
    proxy.cut()
    response = _lookup(phone)
    proxy.restore()
    _assert_error_page(phone, response, 503, lang)
    assert response.headers["retry-after"].isdigit()
    wait_for(lambda: _ready(web), 20, "the web server to reach the database again")
    _follow_forward(phone, "start")
    _open_order(phone, web, lang)
