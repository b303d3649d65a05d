"""Every cancellation and subscription page speaks one language: no English words on a
Japanese page, no Japanese texts of the catalogue on an English one."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.portal.cancel_pages import (
    SUBSCRIPTION,
    csrf,
    open_order,
    put_cancellable,
    put_subscription,
)
from tests.shop import Shop
from tests.test_translations import _catalogue, _english_phrases


def _check(page: str, locale: str, where: str) -> None:
    assert f'<html lang="{locale}">' in page, where
    if locale == "ja":
        english = [phrase for phrase in _english_phrases() if phrase in page]
        assert english == [], f"{where} shows English on a Japanese page: {english}"
    else:
        ja = [text for text in _catalogue("ja").values() if len(text) >= 4 and text in page]
        assert ja == [], f"{where} shows Japanese on an English page: {ja}"


def _cancel_pages(client: FlaskClient) -> dict[str, str]:
    form = client.get("/cancel").get_data(as_text=True)
    fields = {"csrf": csrf(form), "scope": "whole", "reason": "CHANGED_MIND"}
    review = client.post("/cancel", data=fields).get_data(as_text=True)
    refused = client.post("/cancel", data={"csrf": csrf(form), "scope": "lines"})
    done = client.post("/cancel/confirm", data=fields)
    outcome = client.get(done.headers["Location"]).get_data(as_text=True)
    return {
        "/cancel": form,
        "/cancel (review)": review,
        "/cancel (refused)": refused.get_data(as_text=True),
        "/cancellations/<id>": outcome,
    }


def _subscription_pages(client: FlaskClient) -> dict[str, str]:
    form = client.get("/subscription/cancel").get_data(as_text=True)
    client.post("/subscription/cancel", data={"csrf": csrf(form), "reason": "too_much_product"})
    offers = client.get("/subscription/cancel/offers").get_data(as_text=True)
    client.post("/subscription/cancel/accept", data={"csrf": csrf(offers), "offer_id": "skip_next"})
    result = client.get("/subscription/cancellation").get_data(as_text=True)
    return {
        "/subscription/cancel": form,
        "/subscription/cancel/offers": offers,
        "/subscription/cancellation": result,
    }


@pytest.mark.parametrize("locale", ["ja", "en"])
def test_every_cancellation_page_is_in_one_language(app: Flask, shop: Shop, locale: str) -> None:
    put_cancellable(shop)
    put_subscription(shop)
    orders = app.test_client()
    open_order(orders, lang=locale)
    subscriptions = app.test_client()
    open_order(subscriptions, f"#{SUBSCRIPTION}-2", lang=locale)
    pages = _cancel_pages(orders) | _subscription_pages(subscriptions)
    pages["/order"] = orders.get("/order").get_data(as_text=True)
    for where, page in pages.items():
        words = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", page, flags=re.S)
        _check(words, locale, where)
