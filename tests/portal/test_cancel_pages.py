"""The customer's cancellation pages: choose, see the refund, confirm, follow the outcome."""

from __future__ import annotations

import html
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from returns_service.cancellations.models import Cancellation
from tests.portal.cancel_pages import csrf, open_order, put_cancellable
from tests.shop import Shop


def _text(response) -> str:  # noqa: ANN001
    return html.unescape(response.get_data(as_text=True))


def _review(client: FlaskClient, page: str, **fields: str):  # noqa: ANN202
    submission = re.search(r'name="submission" type="hidden" value="([^"]*)"', page).group(1)
    return client.post("/cancel", data={"csrf": csrf(page), "submission": submission, **fields})


def _confirm_fields(page: str) -> dict[str, str]:
    """The hidden fields the confirm page carries, as the browser sends them back."""
    hidden = re.findall(r"<input[^>]*hidden[^>]*>", page)
    return dict(
        (re.search(r'name="([^"]+)"', tag).group(1), re.search(r'value="([^"]*)"', tag).group(1))
        for tag in hidden
    )


def test_a_whole_order_is_cancelled_and_refunded_in_japanese(
    app: Flask, shop: Shop, session: Session
) -> None:
    put_cancellable(shop)
    client = app.test_client()
    order_page = open_order(client)
    assert 'href="/cancel"' in order_page  # the order page offers it

    form = client.get("/cancel").get_data(as_text=True)
    assert "ご注文 #6001 のキャンセル" in form
    review = _review(client, form, scope="whole", reason="CHANGED_MIND", comment="急ぎません")
    assert review.status_code == 200, _text(review)
    shown = _text(review)
    assert "￥145,900" in shown  # the amount before confirming
    assert "ご注文時のお支払い方法" in shown  # and where it goes

    fields = _confirm_fields(review.get_data(as_text=True))
    done = client.post("/cancel/confirm", data=fields)
    assert done.status_code == 302
    again = client.post("/cancel/confirm", data=fields)  # sent twice: one cancellation
    assert again.status_code == 302, _text(again)
    assert again.headers["Location"] == done.headers["Location"]
    assert session.scalar(select(func.count()).select_from(Cancellation)) == 1

    outcome = _text(client.get(done.headers["Location"]))
    assert 'data-status="cancelled"' in outcome
    assert "キャンセルしました。￥145,900をご注文時のお支払い方法へ返金いたします。" in outcome
    assert "5〜10営業日" in outcome or "営業日" in outcome  # when it shows
    assert 'href="/cancel"' not in client.get("/order").get_data(as_text=True)


def test_some_items_are_cancelled_in_english(app: Flask, shop: Shop, session: Session) -> None:
    order = put_cancellable(shop)
    mugs = next(line["id"] for line in order["lines"] if line["external_id"] == "L2")
    client = app.test_client()
    open_order(client, lang="en")
    form = client.get("/cancel").get_data(as_text=True)
    chosen = {f"quantity_{mugs}": "1"}
    review = _review(client, form, scope="lines", reason="ORDERED_BY_MISTAKE", **chosen)
    assert review.status_code == 200, _text(review)
    assert "¥1,100" in _text(review)

    done = client.post("/cancel/confirm", data=_confirm_fields(review.get_data(as_text=True)))
    outcome = _text(client.get(done.headers["Location"]))
    assert "We are refunding ¥1,100 to the payment method you used for this order." in outcome
    cancellation = session.scalar(select(Cancellation))
    assert [(line.order_line_id, line.quantity) for line in cancellation.lines] == [(mugs, 1)]
    assert cancellation.comment == ""


def test_a_refused_form_keeps_what_was_entered_and_says_why_beside_each_field(
    app: Flask, shop: Shop
) -> None:
    order = put_cancellable(shop)
    mugs = next(line["id"] for line in order["lines"] if line["external_id"] == "L2")
    client = app.test_client()
    open_order(client)
    form = client.get("/cancel").get_data(as_text=True)

    nothing = _review(client, form, scope="lines", comment="サイズ違い")
    assert nothing.status_code == 422
    page = _text(nothing)
    assert '<p class="field-error" id="reason-error">理由をお選びください。</p>' in page
    assert f'id="quantity_{mugs}-error"' not in page  # the first line carries it
    assert "キャンセルする商品の数量をお選びください。" in page
    assert "サイズ違い" in page  # the comment is kept
    assert '<input checked id="scope-1" name="scope" type="radio" value="lines">' in page

    too_many = _review(
        client, form, scope="lines", reason="OTHER", comment="三つ", **{f"quantity_{mugs}": "3"}
    )
    assert too_many.status_code == 409
    page = _text(too_many)
    beside = f'<p class="field-error" id="quantity_{mugs}-error">'
    assert beside + "この商品は2点までキャンセルできます。</p>" in page
    assert "三つ" in page
    assert re.search(r"[A-Za-z]{3,} [a-z]{3,} [a-z]{3,}", re.sub(r"<[^>]+>", " ", page)) is None


def test_a_packed_order_waits_for_the_warehouse_then_the_page_shows_the_outcome(
    app: Flask, shop: Shop
) -> None:
    order = put_cancellable(shop, fulfillment_status="packed")
    client = app.test_client()
    open_order(client)
    form = client.get("/cancel").get_data(as_text=True)
    review = _review(client, form, scope="whole", reason="CHANGED_MIND")
    done = client.post("/cancel/confirm", data=_confirm_fields(review.get_data(as_text=True)))
    status_url = done.headers["Location"]
    waiting = _text(client.get(status_url))
    assert 'data-status="pending_stop"' in waiting
    assert "倉庫に出荷の停止を依頼しました" in waiting
    assert "data-poll" in waiting  # it updates by itself

    cancellation_id = int(status_url.rsplit("/", 1)[1])
    answer = shop.client.post(
        f"/api/v1/cancellations/{cancellation_id}/warehouse-result",
        json={"stopped": True},
        headers=shop.integration,
    )
    assert answer.status_code == 200, answer.json
    settled = _text(client.get(status_url))
    assert 'data-status="cancelled"' in settled
    assert f"￥{order['total']['amount']:,}" in settled
    assert "data-poll" not in settled


def test_a_parcel_that_left_offers_a_return_instead(app: Flask, shop: Shop) -> None:
    put_cancellable(shop, fulfillment_status="picking")
    client = app.test_client()
    open_order(client, lang="en")
    form = client.get("/cancel").get_data(as_text=True)
    review = _review(client, form, scope="whole", reason="CHANGED_MIND")
    done = client.post("/cancel/confirm", data=_confirm_fields(review.get_data(as_text=True)))
    cancellation_id = int(done.headers["Location"].rsplit("/", 1)[1])
    shop.client.post(
        f"/api/v1/cancellations/{cancellation_id}/warehouse-result",
        json={"stopped": False},
        headers=shop.integration,
    )
    refused = _text(client.get(done.headers["Location"]))
    assert 'data-status="refused"' in refused
    assert "could not be cancelled" in refused
    assert 'id="start-return" href="/order"' in refused


def test_a_shipped_order_is_not_offered_a_cancellation(app: Flask, shop: Shop) -> None:
    put_cancellable(shop, fulfillment_status="shipped")
    client = app.test_client()
    assert 'href="/cancel"' not in open_order(client)
    refused = client.get("/cancel")
    assert refused.status_code == 409
    page = _text(refused)
    assert "このご注文はキャンセルできません" in page
    assert 'id="start-return"' in page


def test_another_orders_cancellation_is_not_found(app: Flask, shop: Shop) -> None:
    put_cancellable(shop)
    put_cancellable(shop, "6002", number="#6002", email_address="ken@example.jp")
    owner = app.test_client()
    open_order(owner)
    form = owner.get("/cancel").get_data(as_text=True)
    review = _review(owner, form, scope="whole", reason="CHANGED_MIND")
    done = owner.post("/cancel/confirm", data=_confirm_fields(review.get_data(as_text=True)))

    stranger = app.test_client()
    open_order(stranger, "#6002", "ken@example.jp", lang="en")
    response = stranger.get(done.headers["Location"])
    assert response.status_code == 404
    assert "We could not find that page" in _text(response)
    assert "cancellation" not in _text(response).lower().split("<main>")[1]
