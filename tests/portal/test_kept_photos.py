"""A refused return form keeps the photos already sent, for the session that sent them."""

from __future__ import annotations

import io
import os
import re
from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from returns_service.models import utcnow
from returns_service.returns.models import ReturnLine
from returns_service.returns.pending_photos import remove_stale
from returns_service.shop import shop_settings
from tests.portal.pages import csrf, open_order, submission
from tests.portal.test_pages import PNG
from tests.shop import Shop

_THUMBNAIL = re.compile(r'<img src="(/returns/kept/(\w+)/([\w.-]+))"')


def _send(
    client: FlaskClient, page: str, line: int, quantity: str, **extra: object
) -> TestResponse:
    return client.post(
        "/returns",
        content_type="multipart/form-data",
        data={
            "csrf": csrf(page),
            "submission": submission(page),
            f"quantity_{line}": quantity,
            f"reason_{line}": "STYLE",
            "resolution": "refund",
            "method": "dropoff",
            **extra,
        },
    )


def _send_photo(client: FlaskClient, page: str, line: int, quantity: str) -> TestResponse:
    """The form sent with a photo of the line's item."""
    return _send(client, page, line, quantity, **{f"photo_{line}": (io.BytesIO(PNG), "seam.png")})


def _opened(app: Flask, shop: Shop) -> tuple[FlaskClient, str, int]:
    """A browser on the return form of an order: its page and the id of line L1."""
    order = shop.put_order()
    client = app.test_client()
    return client, open_order(client), shop.line_id(order, "L1")


def test_a_refused_form_keeps_its_photo_and_files_it_when_sent_again(
    app: Flask, shop: Shop, session: Session
) -> None:
    client, page, line = _opened(app, shop)
    refused = _send_photo(client, page, line, "3")
    assert refused.status_code == 409
    shown = refused.get_data(as_text=True)
    thumbnails = _THUMBNAIL.findall(shown)
    assert len(thumbnails) == 1, shown
    url, folder, name = thumbnails[0]
    assert f'name="remove_photo" value="{name}"' in shown
    with client.get(url) as thumbnail:
        assert thumbnail.status_code == 200 and thumbnail.mimetype == "image/png"
        assert thumbnail.headers["X-Content-Type-Options"] == "nosniff"

    # Another customer's browser, even knowing the address, sees nothing.
    other = app.test_client()
    open_order(other)
    assert other.get(url).status_code == 404

    filed = _send(client, shown, line, "1")  # no photo chosen again
    assert filed.status_code == 302, filed.get_data(as_text=True)
    photos = session.scalar(select(ReturnLine.photos))
    assert photos == [name.partition("-")[2]]
    uploads = Path(app.config["UPLOAD_DIR"])
    assert (uploads / photos[0]).read_bytes().startswith(b"\x89PNG")
    assert not (uploads / "pending" / folder).exists()


def test_a_kept_photo_can_be_removed_and_is_never_anothers(
    app: Flask, shop: Shop, session: Session
) -> None:
    client, page, line = _opened(app, shop)
    refused = _send_photo(client, page, line, "3")
    shown = refused.get_data(as_text=True)
    (_, folder, name) = _THUMBNAIL.findall(shown)[0]

    again = _send(client, shown, line, "3", remove_photo=name)
    assert again.status_code == 409
    assert not _THUMBNAIL.findall(again.get_data(as_text=True))
    assert not list((Path(app.config["UPLOAD_DIR"]) / "pending" / folder).iterdir())

    kept = _send_photo(client, shown, line, "3")
    assert len(_THUMBNAIL.findall(kept.get_data(as_text=True))) == 1
    # A form sent from another session with the same submission id files none of them.
    other = app.test_client()
    other_page = open_order(other)
    stolen = _send(other, other_page, line, "1", submission=folder)
    assert stolen.status_code == 302, stolen.get_data(as_text=True)
    assert session.scalar(select(ReturnLine.photos)) == []


def test_photos_of_forms_left_for_a_day_are_removed(app: Flask, session: Session) -> None:
    pending = Path(app.config["UPLOAD_DIR"]) / "pending"
    old, fresh = pending / ("a" * 32), pending / ("b" * 32)
    for folder in (old, fresh):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"1-{'c' * 32}.png").write_bytes(PNG)
    day_ago = (utcnow() - timedelta(days=1, minutes=1)).timestamp()
    os.utime(old, (day_ago, day_ago))
    with app.app_context():
        remove_stale(session, utcnow(), shop_settings(app))
    assert not old.exists() and fresh.exists()


def test_a_kept_photo_of_a_line_no_longer_sent_back_is_left_aside(
    app: Flask, shop: Shop, session: Session
) -> None:
    order = shop.put_order()
    denim, mug = shop.line_id(order, "L1"), shop.line_id(order, "L2")
    client = app.test_client()
    page = open_order(client)
    refused = _send(client, page, denim, "3", **{f"photo_{denim}": (io.BytesIO(PNG), "a.png")})
    assert _THUMBNAIL.findall(refused.get_data(as_text=True))
    filed = _send(
        client,
        refused.get_data(as_text=True),
        denim,
        "0",
        **{f"quantity_{mug}": "1", f"reason_{mug}": "UNWANTED"},
    )
    assert filed.status_code == 302, filed.get_data(as_text=True)
    assert session.scalar(select(ReturnLine.photos)) == []
