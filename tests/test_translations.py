"""Every text a person reads is in both catalogues, and every page renders in ja and en
without a message left in English on a Japanese page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.auth.models import Role
from returns_service.cases.operations import find_case
from returns_service.cases.survey import survey_token
from returns_service.catalogues import TRANSLATIONS, compile_catalogues
from returns_service.page_texts import TextsByKey
from returns_service.returns.models import ReturnRequest
from tests.shop import Shop, add_staff, csrf, sign_in
from tests.staff.admin_seed import endpoint_with_failure, failed_job
from tests.staff.case_helpers import pending_stop, return_with_photo, subscription_flow

ROOT = Path(__file__).resolve().parent.parent
ADMIN_PAGES = ("users", "tokens", "webhooks", "jobs", "integrations")
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}


def _extracted() -> set[str]:
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = set()
    for _, _, message, _, _ in extract_from_dir(ROOT, method_map, options_map, keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _catalogue(locale: str) -> dict[str, str]:
    """Each message by its (singular) source; a plural's forms one a line, or "" if any is
    missing."""
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
        messages = [m for m in read_po(po) if m.id and not m.fuzzy]
    return {
        m.id if isinstance(m.id, str) else m.id[0]: (
            m.string
            if isinstance(m.string, str)
            else ("\n".join(m.string) if all(m.string) else "")
        )
        for m in messages
    }


@pytest.mark.parametrize("locale", ["ja", "en"])
def test_every_message_of_the_code_is_translated(locale: str) -> None:
    catalogue = _catalogue(locale)
    missing = sorted(m for m in _extracted() if not catalogue.get(m))
    assert missing == [], f"run pybabel extract/update: untranslated in {locale}: {missing}"


def test_japanese_messages_hold_no_english() -> None:
    for english, japanese in _catalogue("ja").items():
        words = re.sub(r"%\(\w+\)[sd]", "", japanese)
        assert not re.search(r"[A-Za-z]{2,}", words), f"{english!r} -> {japanese!r}"


def _english_phrases() -> list[str]:
    """Messages of two words or more whose Japanese differs: none may show on a ja page."""
    ja = _catalogue("ja")
    return [m for m in ja if " " in m and "%(" not in m and ja[m] != m]


@pytest.fixture
def pages(
    app: Flask, session: Session, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> dict[str, FlaskClient]:
    """Every page's path, with a client that may open it."""
    order = shop.put_order()
    rma = shop.file(
        shop.customer(), [{"line_id": shop.line_id(order, "L4"), "quantity": 1, "reason": "STYLE"}]
    ).json["rma"]
    customer = app.test_client()
    start = customer.get("/").get_data(as_text=True)
    customer.post(
        "/", data={"csrf": csrf(start), "order_number": "#5001", "contact": "hanako@example.jp"}
    )
    # Cases of every kind and the admin pages' rows, so that the work list, the reports and
    # the admin pages show their tables, not only their empty states.
    return_with_photo(shop, "#5101", "5101")
    stop = pending_stop(shop)
    flow = subscription_flow(shop)
    endpoint_with_failure(session, "https://hooks.example.jp/returns")
    endpoint_with_failure(session, "https://other.example.jp/hooks", active=False)
    failed_job(session, "warehouse_sync_stock", "timed out")
    add_staff(session, "soko@shop.example", Role.WAREHOUSE)
    add_staff(session, "boss@shop.example", Role.ADMIN)
    admin = sign_in(app.test_client(), "boss@shop.example")
    monkeypatch.setitem(app.config, "MAIL_ON_DISK", True)
    return_id = session.scalar(select(ReturnRequest.id).where(ReturnRequest.rma == rma))
    token = survey_token(app.config["SECRET_KEY"], find_case(session, "return", return_id))
    return {
        "/": app.test_client(),
        "/order": customer,
        f"/returns/{rma}": customer,
        f"/survey/{token}/4": app.test_client(),
        "/staff/login": app.test_client(),
        "/staff/": admin,
        f"/staff/returns/{rma}": admin,
        "/staff/rules": admin,
        "/staff/cancellation-rules": admin,
        "/staff/offers": admin,
        "/staff/numbers": admin,
        f"/staff/cancellations/{stop['id']}": admin,
        f"/staff/subscriptions/{flow['id']}": admin,
        "/staff/mail": admin,
        **{f"/staff/admin/{page}": admin for page in ADMIN_PAGES},
    }


@pytest.mark.parametrize("locale", ["ja", "en"])
def test_every_page_renders_in_both_languages(
    app: Flask, pages: dict[str, FlaskClient], locale: str
) -> None:
    english = _english_phrases()
    japanese = [text for text in _catalogue("ja").values() if len(text) >= 4]
    for path, client in pages.items():
        response = client.get(f"{path}?lang={locale}")
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert f'<html lang="{locale}">' in html, path
        # The rules' own YAML and the editor's fields are data in both languages, not the
        # page's words.
        words = re.sub(r"<(pre|textarea)[^>]*>.*?</\1>", "", html, flags=re.S)
        words = re.sub(r'\svalue="[^"]*"', "", words)
        # Nor are words marked as another language's (what the customer was told, quoted).
        other = rf'<(\w+)\s[^>]*\blang="(?!{locale}")[^"]*"[^>]*>.*?</\1>'
        words = re.sub(other, "", words, flags=re.S)
        if locale == "ja":
            shown = [phrase for phrase in english if phrase in words]
            assert shown == [], f"{path} shows English on a Japanese page: {shown}"
        else:
            shown = [phrase for phrase in japanese if phrase in words]
            assert shown == [], f"{path} shows Japanese on an English page: {shown}"


def test_catalogues_are_compiled_when_missing_or_older(tmp_path: Path) -> None:
    source = TRANSLATIONS / "ja" / "LC_MESSAGES" / "messages.po"
    target = tmp_path / "ja" / "LC_MESSAGES"
    target.mkdir(parents=True)
    (target / "messages.po").write_bytes(source.read_bytes())

    assert compile_catalogues(tmp_path) == [target / "messages.mo"]
    assert compile_catalogues(tmp_path) == []  # up to date: nothing written again
    with (target / "messages.mo").open("rb") as compiled:
        assert read_mo(compiled).get("Sign in").string == "ログイン"


@pytest.mark.parametrize("locale", ["ja", "en"])
def test_pages_show_their_texts_as_gettext_gives_them(
    app: Flask, pages: dict[str, FlaskClient], locale: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each text alone is looked up (``page_texts``) where a call of gettext gave it before:
    every page reads the same either way."""

    def shown() -> dict[str, str]:
        html = {
            path: client.get(f"{path}?lang={locale}").get_data(as_text=True)
            for path, client in pages.items()
        }
        # Each page's form token and one-time submission id are drawn afresh.
        drawn = r'name="(csrf|submission)" type="hidden" value="[^"]*"|name="csrf" value="[^"]*"'
        return {path: re.sub(drawn, "", page) for path, page in html.items()}

    looked_up = shown()
    called = app.jinja_env.overlay()
    del called.extensions[f"{TextsByKey.__module__}.{TextsByKey.__name__}"]
    monkeypatch.setitem(app.__dict__, "jinja_env", called)
    assert shown() == looked_up
