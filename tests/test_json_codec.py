"""JSON through orjson: answers, request bodies and the database's JSON columns."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient

from returns_service.json_codec import dumps_column, loads_column


def test_an_answer_keeps_its_keys_order_and_writes_japanese_as_utf8(app: Flask) -> None:
    with app.app_context():
        answer = app.json.response({"status": "返品受付", "amount": 1200, "code": None})

    assert answer.mimetype == "application/json"
    body = '{"status":"返品受付","amount":1200,"code":null}\n'
    assert answer.get_data() == body.encode("utf-8")


def test_what_orjson_does_not_know_is_written_as_flask_writes_it(app: Flask) -> None:
    moment = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
    with app.app_context():
        written = app.json.dumps(
            {"at": moment, "day": date(2026, 12, 5), "price": Decimal("12.50"), 7: "seven"}
        )

    assert app.json.loads(written) == {
        "at": "Sat, 05 Dec 2026 09:30:00 GMT",
        "day": "Sat, 05 Dec 2026 00:00:00 GMT",
        "price": "12.50",
        "7": "seven",
    }


def test_the_standard_library_s_options_are_left_to_it(app: Flask) -> None:
    with app.app_context():
        assert app.json.dumps({"a": 1}, indent=2) == '{\n  "a": 1\n}'
        app.json.compact = False
        try:
            indented = app.json.response({"a": 1}).get_data(as_text=True)
        finally:
            app.json.compact = None

    assert indented == '{\n  "a": 1\n}\n'


def test_a_body_that_is_not_json_is_refused_naming_it(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/portal/session", data=b'{"order_number": ', content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json["errors"] == {"json": ["Invalid JSON body."]}


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ({"reason": "サイズ違い", "lines": [1, 2]}, '{"reason":"サイズ違い","lines":[1,2]}'),
        ({3: "three"}, '{"3":"three"}'),
    ],
)
def test_a_json_column_is_written_and_read_back(value: object, text: str) -> None:
    assert dumps_column(value) == text
    assert loads_column(text) == loads_column(dumps_column(value))
