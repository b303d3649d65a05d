"""A refused return form answers in the page's language, beside the field it concerns."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.portal.pages import csrf, open_order, submission
from tests.portal.test_pages import PNG
from tests.shop import Shop

#: A word of Latin letters inside a Japanese text is English mixed in.
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def _refusals(page: str) -> dict[str, str]:
    """Each field's message by the field's id, and the page's own under ``page``."""
    found = {
        field: text
        for field, text in re.findall(
            r'<p class="field-error" id="([\w-]+)-error">([^<]*)</p>', page
        )
    }
    top = re.search(r'<p class="error" role="alert">([^<]*)</p>', page)
    if top:
        found["page"] = top.group(1)
    return found


def _send(client: FlaskClient, page: str, lang: str, **fields: Any) -> tuple[int, dict[str, str]]:
    data = {
        "csrf": csrf(page),
        "submission": submission(page),
        "resolution": "refund",
        "method": "dropoff",
        **fields,
    }
    sent = client.post(f"/returns?lang={lang}", content_type="multipart/form-data", data=data)
    return sent.status_code, _refusals(sent.get_data(as_text=True))


def _photo(name: str = "seam.png", data: bytes = PNG) -> tuple[io.BytesIO, str]:
    return io.BytesIO(data), name


#: Per case: the fields sent (``{line}`` is the line's id), the field refused, the words in
#: each language.
_CASES: dict[str, tuple[dict[str, Any], str, dict[str, str]]] = {
    "too many units": (
        {"quantity": "3"},
        "quantity",
        {"ja": "この商品の返品は1点までです。", "en": "You can return at most 1 of this item."},
    ),
    "photo too large": (
        {"photo": "large"},
        "photo",
        {"ja": "0.25メガバイトまで", "en": "at most 0.25 MB"},
    ),
    "wrong file type": (
        {"photo": "text"},
        "photo",
        {
            "ja": "写真の画像ファイルをお選びください。",
            "en": "Please choose a photo (JPEG, PNG, GIF or WebP).",
        },
    ),
    "not an image": (
        {"photo": "fake"},
        "photo",
        {
            "ja": "写真の画像ファイルをお選びください。",
            "en": "Please choose a photo (JPEG, PNG, GIF or WebP).",
        },
    ),
    "too many photos": (
        {"photo": "three"},
        "photo",
        {"ja": "2枚まで", "en": "at most 2 photos for one item"},
    ),
}


def _uploads(kind: str) -> list[tuple[io.BytesIO, str]]:
    return {
        # Under the test client's 500 kB, past which it spools the body to a file.
        "large": [_photo("huge.png", PNG + b"\0" * (300 * 1024))],
        "text": [_photo("notes.txt", b"hello")],
        "fake": [_photo("fake.png", b"not a picture at all")],
        "three": [_photo(), _photo(), _photo()],
    }[kind]


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("case", list(_CASES))
def test_a_refused_form_names_the_field_in_the_pages_language(
    app: Flask, shop: Shop, configure: Callable[..., None], case: str, lang: str
) -> None:
    configure(MAX_PHOTO_BYTES=256 * 1024, MAX_PHOTOS_PER_LINE=2)
    order = shop.put_order()
    line = shop.line_id(order, "L1")
    client = app.test_client()
    page = open_order(client)
    sent, field, words = _CASES[case]
    fields: dict[str, Any] = {f"quantity_{line}": "1", f"reason_{line}": "STYLE"}
    for name, value in sent.items():
        fields[f"{name}_{line}"] = _uploads(value) if name == "photo" else value
    status, refusals = _send(client, page, lang, **fields)
    assert status in (409, 422)
    assert words[lang] in refusals.get(f"{field}_{line}", ""), refusals
    if lang == "ja":
        assert not any(_LATIN_WORD.search(text) for text in refusals.values()), refusals


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_an_out_of_stock_replacement_is_refused_beside_the_picker(
    app: Flask, shop: Shop, lang: str
) -> None:
    product = shop.put_product()
    order = shop.put_order()
    line = shop.line_id(order, "L1")
    sold_out = shop.variant_id(product, "DNM-34")
    client = app.test_client()
    page = open_order(client)
    status, refusals = _send(
        client,
        page,
        lang,
        **{
            f"quantity_{line}": "1",
            f"reason_{line}": "SIZE_TOO_SMALL",
            f"exchange_variant_{line}": str(sold_out),
            "resolution": "exchange",
        },
    )
    assert status == 409
    words = {"ja": "在庫は0点です", "en": "Only 0 of this replacement are in stock."}
    assert words[lang] in refusals.get(f"exchange_variant_{line}", ""), refusals
    if lang == "ja":
        assert not any(_LATIN_WORD.search(text) for text in refusals.values()), refusals
