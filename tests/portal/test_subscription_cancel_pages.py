"""The subscription cancellation pages: a reason, the offers it brings, accept or confirm."""

from __future__ import annotations

import html

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.subscriptions.models import FlowStatus, SubscriptionCancellation
from tests.portal.cancel_pages import SUBSCRIPTION, csrf, open_order, put_subscription
from tests.shop import Shop


def _page(client: FlaskClient, path: str) -> str:
    return html.unescape(client.get(path).get_data(as_text=True))


def _start(client: FlaskClient, reason: str) -> str:
    form = _page(client, "/subscription/cancel")
    response = client.post(
        "/subscription/cancel", data={"csrf": csrf(form), "reason": reason, "comment": ""}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return _page(client, response.headers["Location"])


def _flow(session: Session) -> SubscriptionCancellation:
    session.expire_all()
    return session.scalars(select(SubscriptionCancellation)).one()


def test_the_order_page_offers_the_subscriptions_cancellation(app: Flask, shop: Shop) -> None:
    put_subscription(shop)
    client = app.test_client()
    page = open_order(client, f"#{SUBSCRIPTION}-2")
    assert 'href="/subscription/cancel"' in page
    assert 'href="/cancel"' not in page


def test_a_subscriber_pauses_instead_of_cancelling(
    app: Flask, shop: Shop, session: Session
) -> None:
    put_subscription(shop)
    client = app.test_client()
    open_order(client, f"#{SUBSCRIPTION}-2")
    offers = _start(client, "too_much_product")
    assert "次回のお届けをスキップする" in offers
    assert "のお届けはお休みとなり、ご請求もございません（￥3,600）" in offers  # in money
    assert "2か月（" in offers and "から再開）" in offers  # the dates of each length

    accepted = client.post(
        "/subscription/cancel/accept",
        data={"csrf": csrf(offers), "offer_id": "pause", "months": "2"},
    )
    assert accepted.status_code == 302
    result = _page(client, accepted.headers["Location"])
    flow = _flow(session)
    assert flow.status is FlowStatus.SAVED
    assert flow.accepted_offer["choice"]["months"] == 2
    assert "定期便は変更後の内容で続きます" in result
    assert "お届けを2か月お休みし、" in result


def test_a_refused_pause_length_is_said_beside_the_offer(app: Flask, shop: Shop) -> None:
    put_subscription(shop, locale="en")
    client = app.test_client()
    open_order(client, f"#{SUBSCRIPTION}-2", lang="en")
    offers = _start(client, "too_much_product")
    refused = client.post(
        "/subscription/cancel/accept",
        data={"csrf": csrf(offers), "offer_id": "pause", "months": "7"},
    )
    assert refused.status_code == 422
    page = html.unescape(refused.get_data(as_text=True))
    assert 'id="refused-pause" role="alert">Please choose how many months to pause for.' in page
    assert "choose a pause of" not in page  # the operation's English is not shown


def test_a_subscriber_confirms_the_cancellation_with_the_discount_shown(
    app: Flask, shop: Shop, session: Session
) -> None:
    put_subscription(shop, locale="en")
    client = app.test_client()
    open_order(client, f"#{SUBSCRIPTION}-2", lang="en")
    offers = _start(client, "too_expensive")
    assert "costs ¥2,880 instead of ¥3,600 (¥720 off)" in offers

    confirmed = client.post("/subscription/cancel/confirm", data={"csrf": csrf(offers)})
    assert confirmed.status_code == 302
    result = _page(client, confirmed.headers["Location"])
    assert _flow(session).status is FlowStatus.CANCELLED
    assert "Your subscription is cancelled." in result
    # Once settled, the offers page leads to the result, and accepting is refused.
    assert client.get("/subscription/cancel/offers").status_code == 302
    late = client.post(
        "/subscription/cancel/accept", data={"csrf": csrf(offers), "offer_id": "discount_next"}
    )
    assert late.headers["Location"].endswith("/subscription/cancellation")


def test_an_order_that_is_no_subscription_has_no_subscription_page(app: Flask, shop: Shop) -> None:
    shop.put_order()
    client = app.test_client()
    open_order(client, "#5001")
    response = client.get("/subscription/cancel")
    assert response.status_code == 404
    assert "このご注文は定期便ではありません。" in html.unescape(response.get_data(as_text=True))
