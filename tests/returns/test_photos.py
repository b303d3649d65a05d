"""Photos with a return: images only, decoded and re-encoded without their metadata, counted,
size-limited, nothing kept on refusal."""

from __future__ import annotations

import io
import json
import struct
import zlib
from pathlib import Path
from typing import Any

from flask import Flask
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from returns_service.returns.models import ReturnLine, ReturnRequest
from tests.shop import Shop, pickup_method


def _image(kind: str = "PNG", **save: Any) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(out, format=kind, **save)
    return out.getvalue()


PNG = _image()


def _multipart(
    shop: Shop, headers: dict[str, str], line: int, files: dict, quantity: int = 1
) -> Any:
    payload = json.dumps(
        {
            "lines": [{"line_id": line, "quantity": quantity, "reason": "DEFECTIVE"}],
            "resolution": "refund",
            "method": pickup_method(),
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
    with Image.open(Path(app.config["UPLOAD_DIR"]) / stored[0]) as image:
        assert (image.format, image.size) == ("PNG", (8, 6))
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
        f"photo_{line}": ["fake.jpg is not a JPEG, PNG, GIF or WebP image"]
    }
    assert session.scalar(select(func.count()).select_from(ReturnRequest)) == 0
    assert set(Path(app.config["UPLOAD_DIR"]).glob("*")) == before


def test_a_photo_over_the_size_limit_is_refused(app: Flask, shop: Shop) -> None:
    order = shop.put_order()
    line = shop.line_id(order, "L1")
    app.config["MAX_PHOTO_BYTES"] = len(PNG) - 1
    try:
        response = _multipart(
            shop, shop.customer(), line, {f"photo_{line}": (io.BytesIO(PNG), "big.png")}
        )
    finally:
        app.config["MAX_PHOTO_BYTES"] = 5 * 1024 * 1024
    assert response.status_code == 422
    assert f"larger than {len(PNG) - 1} bytes" in response.json["message"]


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


def _uploads(app: Flask) -> set[Path]:
    return set(Path(app.config["UPLOAD_DIR"]).glob("*"))


def test_a_refused_request_leaves_no_photo_behind(app: Flask, shop: Shop) -> None:
    order = shop.put_order()
    line = shop.line_id(order, "L1")
    before = _uploads(app)
    photos = [(io.BytesIO(PNG), f"p{n}.png") for n in range(3)]
    response = _multipart(shop, shop.customer(), line, {f"photo_{line}": photos}, quantity=5)
    assert response.status_code == 409, response.json
    assert _uploads(app) == before


def _three() -> list[tuple[io.BytesIO, str]]:
    return [(io.BytesIO(PNG), f"p{n}.png") for n in range(3)]


def test_photos_are_counted_per_line_and_per_request(app: Flask, shop: Shop) -> None:
    order = shop.put_order()
    line = shop.line_id(order, "L1")
    before = _uploads(app)
    app.config.update(MAX_PHOTOS_PER_LINE=2, MAX_PHOTOS_PER_REQUEST=2)
    try:
        per_line = _multipart(shop, shop.customer(), line, {f"photo_{line}": _three()})
        app.config["MAX_PHOTOS_PER_LINE"] = 5
        per_request = _multipart(shop, shop.customer(), line, {f"photo_{line}": _three()})
    finally:
        app.config.update(MAX_PHOTOS_PER_LINE=5, MAX_PHOTOS_PER_REQUEST=10)
    assert per_line.status_code == per_request.status_code == 422
    assert f"photo_{line}" in per_line.json["errors"]["json"]
    assert "photos" in per_request.json["errors"]["json"]
    assert _uploads(app) == before


def test_the_gps_position_and_other_metadata_are_not_kept(
    app: Flask, shop: Shop, session: Session
) -> None:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (35.0, 39.0, 29.0), 4: (139.0, 41.0, 30.0)}  # GPS latitude, longitude
    jpeg = _image("JPEG", exif=exif.tobytes())
    assert b"PhoneMaker" in jpeg
    order = shop.put_order()
    line = shop.line_id(order, "L1")
    response = _multipart(
        shop, shop.customer(), line, {f"photo_{line}": (io.BytesIO(jpeg), "seam.jpg")}
    )
    assert response.status_code == 201, response.json
    stored = Path(app.config["UPLOAD_DIR"]) / session.scalar(select(ReturnLine)).photos[0]
    with Image.open(stored) as image:
        assert image.format == "JPEG" and image.size == (8, 6)
        assert not image.getexif()
    assert b"PhoneMaker" not in stored.read_bytes()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def test_an_image_claiming_too_many_pixels_is_refused_without_decoding_it(
    app: Flask, shop: Shop
) -> None:
    header = struct.pack(">IIBBBBB", 40000, 40000, 8, 2, 0, 0, 0)  # 1.6 billion pixels
    bomb = (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + _chunk(b"IEND", b"")
    )
    order = shop.put_order()
    line = shop.line_id(order, "L1")
    before = _uploads(app)
    response = _multipart(
        shop, shop.customer(), line, {f"photo_{line}": (io.BytesIO(bomb), "huge.png")}
    )
    assert response.status_code == 422
    assert "too many pixels" in response.json["message"]
    assert _uploads(app) == before
