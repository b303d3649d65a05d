"""The status page in the customer's words, the signed links of the e-mails, the return slip."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from email.header import decode_header, make_header
from email.message import Message

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from carriers.status import TrackingStatus
from returns_service.extensions import db
from returns_service.orders.models import Order
from returns_service.outbox import OutboxMessage
from returns_service.portal import tokens
from returns_service.portal.slip import SlipFontMissing, return_slip
from returns_service.returns.models import Pickup, PickupStatus
from returns_service.returns.operations import get_return
from returns_service.shop import shop_settings
from tests.portal.pages import open_order
from tests.shop import Inbox, Shop


def _text(message: Message) -> str:
    parts = [p for p in message.walk() if p.get_content_type() == "text/plain"]
    return "\n".join(p.get_payload(decode=True).decode(p.get_content_charset()) for p in parts)


def _link(message: Message) -> str:
    """The signed status page link an e-mail carries, as a path."""
    found = re.search(r"http://returns\.test(/r/[\w.\-]+)", _text(message))
    assert found, _text(message)
    return found.group(1)


def _filed(
    shop: Shop, order: dict, code: str = "L1", quantity: int = 1, reason: str = "STYLE"
) -> str:
    """The RMA of a return of one of the order's lines, filed by the customer."""
    line = {"line_id": shop.line_id(order, code), "quantity": quantity, "reason": reason}
    return shop.file(shop.customer(), [line]).json["rma"]


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_e_mails_signed_link_opens_the_status_page_and_the_slip(
    app: Flask, shop: Shop, inbox: Inbox
) -> None:
    order = shop.put_order()
    rma = _filed(shop, order)
    shop.run_jobs()
    assert inbox.messages, "the e-mails were sent"
    link = _link(inbox.messages[-1])

    client = app.test_client()  # a browser that never opened the order
    opened = client.get(link)
    assert opened.status_code == 302
    page = client.get(opened.headers["Location"]).get_data(as_text=True)
    assert rma in page and "返品票を印刷する" in page
    assert "送料：発送時にお客様がお支払いください（元払い）。" in page

    slip = client.get(f"/returns/{rma}/slip.pdf")
    assert slip.status_code == 200 and slip.mimetype == "application/pdf"
    assert slip.data.startswith(b"%PDF")
    text = _pdf_text(slip.data)
    assert rma in text and "元払い" in text and "TEL 03-0000-0000" in text
    assert "セルビッジデニム 30" in text
    assert client.get(link + "/slip.pdf").data.startswith(b"%PDF")

    # A link is good for its purpose only: a tampered one, or another token, opens nothing.
    assert app.test_client().get(link + "x").status_code == 404
    with app.test_request_context():
        order_token = tokens.issue(1)
    assert app.test_client().get(f"/r/{order_token}").status_code == 404


def test_a_us_order_is_sent_back_to_the_us_address(
    app: Flask, shop: Shop, session: Session, configure: Callable[..., None]
) -> None:
    address = {"name": "Returns US", "address1": "1 Main St", "city": "Reno", "phone": "+1 775"}
    configure(RETURN_ADDRESSES=json.dumps({"US": address}))
    order = shop.put_order()
    stored = session.scalar(select(Order).where(Order.external_id == order["external_id"]))
    stored.shipping_address = stored.shipping_address | {"country": "US", "city": "Reno"}
    session.commit()
    rma = _filed(shop, order)
    client = app.test_client()
    open_order(client)
    text = _pdf_text(client.get(f"/returns/{rma}/slip.pdf?lang=en").data)
    assert "1 Main St" in text and "Tel. +1 775" in text
    assert "豊洲" not in text


def test_an_internal_review_reason_never_reaches_the_customer(app: Flask, shop: Shop) -> None:
    order = shop.put_order()
    rma = _filed(shop, order, "L4")
    assert shop.get(rma)["status"] == "review"
    client = app.test_client()
    open_order(client)
    for lang in ("ja", "en"):
        page = client.get(f"/returns/{rma}?lang={lang}").get_data(as_text=True)
        assert "High-value" not in page and "100,000" not in page
        assert "return.created" not in page and "return.review" not in page


def test_a_rejection_is_said_once(app: Flask, shop: Shop) -> None:
    order = shop.put_order()
    rma = _filed(shop, order, "L3")
    client = app.test_client()
    open_order(client)
    page = client.get(f"/returns/{rma}").get_data(as_text=True)
    assert page.count("返品をお受けできません") == 1


def test_a_pickup_ahead_is_called_off_when_the_parcel_arrives_another_way(
    app: Flask, shop: Shop, session: Session
) -> None:
    order = shop.put_order()
    created = shop.file(
        shop.customer(),
        [{"line_id": shop.line_id(order, "L1"), "quantity": 1, "reason": "DEFECTIVE"}],
        method={"type": "pickup", "date": "2099-12-05", "slot": "14-16"},
    ).json
    shop.run_jobs()
    assert shop.get(created["rma"])["pickup"]["status"] == "confirmed"
    client = app.test_client()
    open_order(client)
    page = client.get(f"/returns/{created['rma']}").get_data(as_text=True)
    assert "12月5日（土）14時〜16時" in page  # the pickup in words

    received = shop.client.post(
        f"/api/v1/returns/{created['rma']}/receive",
        headers=shop.warehouse,
        json={"lines": [{"line_id": created["lines"][0]["id"], "quantity": 1}]},
    )
    assert received.status_code == 200, received.json
    shop.run_jobs()
    session.expire_all()
    assert session.scalar(select(Pickup.status)) is PickupStatus.CANCELLED
    job = session.scalar(select(OutboxMessage).where(OutboxMessage.job == "cancel_pickup"))
    assert job is not None and job.status.value == "succeeded"
    page = client.get(f"/returns/{created['rma']}").get_data(as_text=True)
    assert "荷物が別の方法で届いたため、集荷を取り消しました" in page


def test_the_api_documentation_page_needs_no_network(app: Flask) -> None:
    client = app.test_client()
    docs = client.get("/api/docs").get_data(as_text=True)
    assert "cdn.jsdelivr" not in docs
    scripts = re.findall(r'src="([^"]+)"', docs)
    assert scripts
    for src in scripts:
        with client.get(src) as answer:
            assert answer.status_code == 200 and answer.mimetype == "text/javascript"
    assert "cdn" not in client.get("/api/docs").headers["Content-Security-Policy"]


def test_the_parcels_tracking_is_shown_in_words(app: Flask, shop: Shop) -> None:
    order = shop.put_order()
    rma = _filed(shop, order)
    shop.run_jobs()  # the label is bought
    tracking = shop.get(rma)["tracking_number"]
    client = app.test_client()
    open_order(client)
    before = client.get(f"/returns/{rma}").get_data(as_text=True)
    assert "まだ配送業者に引き渡されていません" in before
    assert shop.carrier_scan(tracking, TrackingStatus.IN_TRANSIT).status_code == 200
    page = client.get(f"/returns/{rma}").get_data(as_text=True)
    assert f"追跡番号：{tracking}" in page
    assert "配送業者がお預かりし、当店へ輸送中です" in page
    assert "in_transit" not in page


def test_an_exchange_reads_complete_only_once_the_replacement_has_shipped(
    app: Flask, shop: Shop
) -> None:
    product = shop.put_product()
    order = shop.put_order()
    created = shop.file(
        shop.customer(),
        [
            {
                "line_id": shop.line_id(order, "L1"),
                "quantity": 1,
                "reason": "SIZE_TOO_SMALL",
                "exchange_variant_id": shop.variant_id(product, "DNM-32"),
            }
        ],
        resolution="exchange",
    ).json
    rma, line = created["rma"], created["lines"][0]["id"]
    for step, body in (
        ("receive", {"lines": [{"line_id": line, "quantity": 1}]}),
        ("inspect", {"lines": [{"line_id": line, "condition": "new", "disposition": "restock"}]}),
    ):
        url = f"/api/v1/returns/{rma}/{step}"
        answer = shop.client.post(url, headers=shop.warehouse, json=body)
        assert answer.status_code == 200, answer.json
    shop.run_jobs()
    client = app.test_client()
    open_order(client)
    page = client.get(f"/returns/{rma}").get_data(as_text=True)
    assert shop.get(rma)["status"] == "completed"
    assert "交換品を準備中" in page and "交換品の発送を準備しています" in page
    assert "完了しました" not in page

    exchange_id = shop.get(rma)["exchanges"][0]["id"]
    shipped = shop.client.post(
        f"/api/v1/returns/{rma}/exchanges/{exchange_id}/shipped",
        headers=shop.warehouse,
        json={"carrier": "yamato", "tracking_number": "4000-1111-2222"},
    )
    assert shipped.status_code == 200, shipped.json
    page = client.get(f"/returns/{rma}").get_data(as_text=True)
    assert "お手続きは完了しました。" in page
    assert "セルビッジデニム 30 — 32 × 1: 発送済み （追跡番号 4000-1111-2222）" in page


def test_a_missing_slip_font_is_named_in_the_error(
    app: Flask, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = shop.put_order()
    rma = _filed(shop, order)
    monkeypatch.setitem(app.config, "SLIP_FONT_PATH", "/nowhere/font.ttf")
    with app.test_request_context():
        with pytest.raises(SlipFontMissing, match="RETURNS_SLIP_FONT_PATH: no font at /nowhere"):
            return_slip(get_return(db.session, rma), shop_settings(app), "ja")


def test_the_refund_e_mail_links_to_the_returns_status_page(
    app: Flask, shop: Shop, inbox: Inbox
) -> None:
    order = shop.put_order()
    rma = _filed(shop, order, "L2", quantity=2, reason="UNWANTED")
    shop.run_jobs()
    refund_mails = [
        m for m in inbox.messages if "返金" in str(make_header(decode_header(m["Subject"])))
    ]
    assert len(refund_mails) == 1
    link = _link(refund_mails[0])

    client = app.test_client()
    opened = client.get(link)
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/returns/{rma}")
