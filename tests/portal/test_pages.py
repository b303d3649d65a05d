"""The customer's pages: open an order, file a return with a photo, follow it."""

from __future__ import annotations

import base64
import io
import re

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from returns_service.returns.models import ReturnLine, ReturnRequest
from tests.portal.pages import csrf, open_order, submission
from tests.shop import Shop

PNG = base64.b64decode(  # a 1x1 image: photos are decoded, so it must be a real one
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)


def _without_token(page: str) -> str:
    return re.sub(r'name="csrf" value="[^"]+"', "", page)


def test_a_customer_files_a_return_with_a_photo_and_follows_it(
    app: Flask, shop: Shop, session: Session
) -> None:
    order = shop.put_order()
    client = app.test_client()
    page = open_order(client)
    line = shop.line_id(order, "L1")
    assert "セルビッジデニム 30" in page
    assert "セール品のため返品できません。" in page  # the final-sale line says why not

    response = client.post(
        "/returns",
        content_type="multipart/form-data",
        data={
            "csrf": csrf(page),
            "submission": submission(page),
            f"quantity_{line}": "1",
            f"reason_{line}": "DEFECTIVE",
            f"comment_{line}": "縫い目がほつれています",
            f"photo_{line}": (io.BytesIO(PNG), "seam.png"),
            "resolution": "refund",
            "method": "pickup",
            "pickup_date": "2026-12-01",
            "pickup_slot": "14-16",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    rma = session.scalar(select(ReturnRequest.rma))
    assert rma in shown
    assert "ご返送待ち" in shown  # awaiting the parcel
    assert "12月1日（火）14時〜16時に配送業者が集荷に伺います" in shown  # in words
    assert len(session.scalar(select(ReturnLine)).photos) == 1


def test_the_same_form_sent_twice_files_one_return(
    app: Flask, shop: Shop, session: Session
) -> None:
    order = shop.put_order()
    client = app.test_client()
    page = open_order(client)
    line = shop.line_id(order, "L1")
    form = {
        "csrf": csrf(page),
        "submission": submission(page),
        f"quantity_{line}": "1",
        f"reason_{line}": "STYLE",
        "resolution": "refund",
        "method": "dropoff",
    }
    first = client.post("/returns", data=form)
    second = client.post("/returns", data=form)
    assert first.headers["Location"] == second.headers["Location"]
    assert session.scalar(select(func.count()).select_from(ReturnRequest)) == 1


def test_a_wrong_contact_and_an_unknown_order_read_the_same(app: Flask, shop: Shop) -> None:
    shop.put_order()
    client = app.test_client()
    token = csrf(client.get("/").get_data(as_text=True))
    wrong = client.post("/", data={"csrf": token, "order_number": "#5001", "contact": "x@y.jp"})
    unknown = client.post("/", data={"csrf": token, "order_number": "#9", "contact": "x@y.jp"})
    assert _without_token(wrong.get_data(as_text=True)) == _without_token(
        unknown.get_data(as_text=True)
    )
    assert "ご注文が見つかりませんでした" in wrong.get_data(as_text=True)


def test_a_form_without_its_token_is_refused(app: Flask, shop: Shop, session: Session) -> None:
    shop.put_order()
    client = app.test_client()
    client.get("/")
    response = client.post("/", data={"order_number": "#5001", "contact": "hanako@example.jp"})
    assert response.status_code == 400


def test_nothing_chosen_and_refused_requests_stay_on_the_order_page(
    app: Flask, shop: Shop, session: Session
) -> None:
    order = shop.put_order()
    client = app.test_client()
    page = open_order(client)
    empty = client.post(
        "/returns",
        data={"csrf": csrf(page), "submission": "a", "resolution": "refund", "method": "dropoff"},
    )
    assert empty.status_code == 422
    assert "返品する商品の数を選んでください。" in empty.get_data(as_text=True)
    line = shop.line_id(order, "L1")
    exchange = client.post(
        "/returns",
        data={
            "csrf": csrf(page),
            "submission": "b",
            f"quantity_{line}": "1",
            f"reason_{line}": "SIZE_TOO_SMALL",
            "resolution": "exchange",
            "method": "dropoff",
        },
    )
    assert exchange.status_code == 422
    shown = exchange.get_data(as_text=True)
    assert "お申し込みを受け付けられませんでした。" in shown
    assert "an exchange needs the SKU" not in shown  # no English on a Japanese page
    in_english = client.post(
        "/returns?lang=en",
        data={
            "csrf": csrf(page),
            "submission": "c",
            f"quantity_{line}": "1",
            f"reason_{line}": "SIZE_TOO_SMALL",
            "resolution": "exchange",
            "method": "dropoff",
        },
    )
    assert "Please choose the replacement." in in_english.get_data(as_text=True)
    assert "an exchange needs the SKU" not in in_english.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(ReturnRequest)) == 0


def test_english_on_request_and_another_customers_return_stays_hidden(
    app: Flask, shop: Shop
) -> None:
    first = shop.put_order()
    shop.put_order(external_id="other", number="#7001", email_address="other@example.jp")
    rma = shop.file(
        shop.customer(), [{"line_id": shop.line_id(first, "L1"), "quantity": 1, "reason": "STYLE"}]
    ).json["rma"]
    client = app.test_client()
    page = client.get("/?lang=en").get_data(as_text=True)
    assert "Returns and exchanges" in page
    open_order(client, "#7001", "other@example.jp")
    assert client.get(f"/returns/{rma}").status_code == 404
