"""A return's photos: thumbnails on the staff page, served only to signed-in staff."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.auth.models import Role
from returns_service.returns.models import ReturnRequest
from tests.shop import Shop, add_staff, sign_in
from tests.staff.case_helpers import png, return_with_photo


def _photo_url(session: Session, rma: str) -> str:
    request = session.scalar(select(ReturnRequest).where(ReturnRequest.rma == rma))
    line = request.lines[0]
    return f"/staff/returns/{rma}/lines/{line.id}/photos/{line.photos[0]}"


def test_staff_see_the_photo_as_a_thumbnail_and_full_size(
    app: Flask, session: Session, shop: Shop
) -> None:
    rma = return_with_photo(shop)
    add_staff(session, "aiko@shop.example", Role.AGENT)
    agent = sign_in(app.test_client(), "aiko@shop.example")
    url = _photo_url(session, rma)

    page = agent.get(f"/staff/returns/{rma}").get_data(as_text=True)
    photo = agent.get(url)

    assert f'<a href="{url}" target="_blank" rel="noopener"><img src="{url}"' in page
    assert photo.status_code == 200
    assert photo.mimetype == "image/png"
    assert photo.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in photo.headers["Cache-Control"]
    assert photo.data[:8] == png()[:8]
    photo.close()


def test_nobody_else_gets_the_photo(app: Flask, session: Session, shop: Shop) -> None:
    rma = return_with_photo(shop)
    url = _photo_url(session, rma)

    anonymous = app.test_client().get(url)
    customer = app.test_client().get(url, headers=shop.customer())
    token = app.test_client().get(url, headers=shop.agent)  # an API token is not a session

    assert anonymous.status_code == 302 and anonymous.headers["Location"] == "/staff/login"
    assert customer.status_code == 302 and token.status_code == 302
    assert app.test_client().get(f"/static/{url.rsplit('/', 1)[1]}").status_code == 404
    assert app.test_client().get(f"/uploads/{url.rsplit('/', 1)[1]}").status_code == 404


def test_only_the_lines_own_photos_are_served(app: Flask, session: Session, shop: Shop) -> None:
    rma = return_with_photo(shop)
    other = return_with_photo(shop, "#5002", "5002")
    add_staff(session, "aiko@shop.example", Role.AGENT)
    agent = sign_in(app.test_client(), "aiko@shop.example")
    mine, theirs = _photo_url(session, rma), _photo_url(session, other)
    line_part = mine.rsplit("/", 1)[0]

    assert agent.get(f"{line_part}/{theirs.rsplit('/', 1)[1]}").status_code == 404
    assert agent.get(f"{line_part}/..%2F..%2Fsecret.png").status_code == 404
    assert agent.get(f"{line_part}/missing.png").status_code == 404
    assert agent.get(mine.replace(rma, "RMA-NONE")).status_code == 404
