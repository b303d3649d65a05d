"""The API's answers written by orjson, as Flask's own provider would write them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

from flask import Flask


def test_an_answer_sorts_its_keys_and_writes_japanese_as_utf8(app: Flask) -> None:
    with app.app_context():
        answer = app.json.response({"status": "返品受付", "amount": 1200, "code": None})

    assert answer.mimetype == "application/json"
    assert answer.get_data() == '{"amount":1200,"code":null,"status":"返品受付"}\n'.encode()


def test_what_orjson_does_not_know_is_written_as_flask_writes_it(app: Flask) -> None:
    moment = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
    with app.app_context():
        answer = app.json.response(
            {"at": moment, "day": date(2026, 12, 5), "price": Decimal("12.50"), 7: "seven"}
        )

    assert json.loads(answer.get_data()) == {
        "at": "Sat, 05 Dec 2026 09:30:00 GMT",
        "day": "Sat, 05 Dec 2026 00:00:00 GMT",
        "price": "12.50",
        "7": "seven",
    }


def test_an_integer_orjson_refuses_is_written_by_the_standard_library(app: Flask) -> None:
    with app.app_context():
        answer = app.json.response({"threshold": 10**20})

    assert answer.get_data() == b'{"threshold":100000000000000000000}\n'


def test_debug_answers_are_indented_with_the_same_keys_and_text(app: Flask) -> None:
    with app.app_context():
        app.json.compact = False
        try:
            indented = app.json.response({"b": "返品", "a": 1}).get_data(as_text=True)
        finally:
            app.json.compact = None

    assert indented == '{\n  "a": 1,\n  "b": "返品"\n}\n'


def test_an_answer_is_the_same_bytes_whatever_its_keys_order(app: Flask) -> None:
    # An idempotent replay is read back from a JSON column, in the database's key order.
    first = {"rma": "R-1", "lines": [{"quantity": 1, "id": 3}], "amount": {"value": 1200}}
    stored = json.loads(json.dumps(dict(reversed(first.items()))))
    with app.app_context():
        assert app.json.response(stored).get_data() == app.json.response(first).get_data()
