"""Photos with a return: images only, checked by content, size-limited, nothing kept on refusal."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from returns_service.returns.models import ReturnLine, ReturnRequest
from tests.shop import Shop

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _multipart(shop: Shop, headers: dict[str, str], line: int, files: dict) -> Any:
    payload = json.dumps(
        {
            "lines": [{"line_id": line, "quantity": 1, "reason": "DEFECTIVE"}],
            "resolution": "refund",
            "method": {"type": "dropoff"},
        }
    )
    return shop.client.post(
        "/api/v1/returns",
        headers=headers,
        data={"payload": payload, **files},
        content_type="multipart/form-data",
    )


def test_a_png_photo_is_stored_with_its_line(app: Flask, shop: Shop, session: Session) -> None:
    order = shop.put_order()
    line = shop.line_id(order, "L1")
    response = _multipart(
        shop, shop.customer(), line, {f"photo_{line}": (io.BytesIO(PNG), "seam.png")}
    )
    assert response.status_code == 201, response.json
    stored = session.scalar(select(ReturnLine)).photos
    assert len(stored) == 1 and stored[0].endswith(".png")
    assert (Path(app.config["UPLOAD_DIR"]) / stored[0]).read_bytes() == PNG
    assert response.json["lines"][0]["photos"] == 1


def test_a_text_file_named_jpg_is_refused_and_nothing_is_written(
    app: Flask, shop: Shop, session: Session
) -> None:
    order = shop.put_order()
    line = shop.line_id(order, "L1")
    before = set(Path(app.config["UPLOAD_DIR"]).glob("*"))
    response = _multipart(
        shop,
        shop.customer(),
        line,
        {
            f"photo_{line}": [(io.BytesIO(PNG), "ok.png"), (io.BytesIO(b"hello"), "fake.jpg")],
        },
    )
    assert response.status_code == 422
    assert response.json["errors"]["json"] == {
        f"photo_{line}": ["fake.jpg is not a JPEG, PNG, GIF, WebP or HEIC image"]
    }
    assert session.scalar(select(func.count()).select_from(ReturnRequest)) == 0
    assert set(Path(app.config["UPLOAD_DIR"]).glob("*")) == before


def test_a_photo_over_the_size_limit_is_refused(app: Flask, shop: Shop) -> None:
    order = shop.put_order()
    line = shop.line_id(order, "L1")
    app.config["MAX_PHOTO_BYTES"] = 32
    try:
        response = _multipart(
            shop, shop.customer(), line, {f"photo_{line}": (io.BytesIO(PNG), "big.png")}
        )
    finally:
        app.config["MAX_PHOTO_BYTES"] = 5 * 1024 * 1024
    assert response.status_code == 422
    assert "larger than 32 bytes" in response.json["message"]


def test_bad_return_input_names_the_field(shop: Shop, session: Session) -> None:
    order = shop.put_order()
    customer = shop.customer()
    line = shop.line_id(order, "L1")
    cases = [
        ({"line_id": line, "quantity": 0, "reason": "STYLE"}, "quantity"),
        ({"line_id": line, "quantity": 1, "reason": "BORED"}, "reason"),
        ({"line_id": str(line), "quantity": 1, "reason": "STYLE"}, "line_id"),
    ]
    for bad_line, field in cases:
        response = shop.file(customer, [bad_line])
        assert response.status_code == 422, response.json
        assert field in response.json["errors"]["json"]["lines"]["0"]
    pickup = shop.file(
        customer, [{"line_id": line, "quantity": 1, "reason": "STYLE"}], method={"type": "pickup"}
    )
    assert pickup.status_code == 422
    assert pickup.json["errors"]["json"]["method"] == {"date": ["a pickup needs a date"]}
    unknown = shop.file(customer, [{"line_id": 999999, "quantity": 1, "reason": "STYLE"}])
    assert unknown.status_code == 422
    assert unknown.json["errors"]["json"] == {"lines.0.line_id": ["order #5001 has no line 999999"]}
    assert session.scalar(select(func.count()).select_from(ReturnRequest)) == 0
