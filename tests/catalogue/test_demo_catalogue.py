"""The demo's catalogue covers every SKU its orders bought, at the prices they were sold."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from returns_service.demo_catalogue import CATALOGUE
from returns_service.demo_data import PRODUCTS, seed_demo_shop
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.orders.models import OrderLine
from returns_service.shop import shop_settings


def test_every_demo_sku_is_a_variant_at_the_price_it_was_sold() -> None:
    variants = {
        sku: (jpy, usd) for *_, variants in CATALOGUE for sku, _values, jpy, usd, _stock in variants
    }
    assert {sku: variants.get(sku) for sku, _t, _p, jpy, usd, _tags in PRODUCTS} == {
        sku: (jpy, usd) for sku, _t, _p, jpy, usd, _tags in PRODUCTS
    }


def test_the_demo_offers_sizes_and_colours_some_sold_out() -> None:
    chosen = {title: variants for _id, title, _type, _names, variants in CATALOGUE}
    sizes = [values for _sku, values, *_ in chosen["オーガニックコットンTシャツ"]]
    assert sizes == [("白", "M"), ("白", "L"), ("紺", "M"), ("紺", "L")]
    stock = {sku: count for *_, variants in CATALOGUE for sku, *_, count in variants}
    assert stock["SNK-BLK-28"] == 0 and stock["SNK-BLK-27"] == 1


def test_a_demo_customer_is_offered_the_other_sizes_of_what_they_bought(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        seed_demo_shop(db.session, utcnow(), shop_settings(app))
        db.session.commit()
        line = db.session.scalar(
            select(OrderLine).where(OrderLine.sku == "DNM-IND-30").order_by(OrderLine.id)
        )
        number, contact, currency = (
            line.order.number,
            line.order.customer.email,
            line.order.currency,
        )
        line_id = line.id
    token = client.post("/api/v1/portal/session", json={"order_number": number, "email": contact})
    headers = {"Authorization": f"Bearer {token.json['token']}"}
    body = client.get(f"/api/v1/portal/exchange-options?line_id={line_id}", headers=headers).json
    assert body["product"]["title"] == "セルビッジデニム"
    assert [(o["sku"], o["in_stock"], o["price_difference"]) for o in body["options"]] == [
        ("DNM-IND-30", True, {"amount": 0, "currency": currency}),
        ("DNM-IND-32", True, {"amount": 0, "currency": currency}),
        ("DNM-IND-34", True, {"amount": 900 if currency == "JPY" else 600, "currency": currency}),
    ]
