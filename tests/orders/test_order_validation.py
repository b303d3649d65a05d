"""Order documents the API refuses: each fault named by its field, and nothing written or
changed."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.orders.order_api import jpy_order, put_order, usd
from tests.orders.shopify import NOTHING, CountRows


def _without_number(document: dict[str, Any]) -> None:
    del document["number"]


def _zero_quantity(document: dict[str, Any]) -> None:
    document["lines"][0]["quantity"] = 0


def _string_quantity(document: dict[str, Any]) -> None:
    document["lines"][1]["quantity"] = "2"


def _naive_placed_at(document: dict[str, Any]) -> None:
    document["placed_at"] = "2025-03-01T10:00:00"


def _line_in_dollars(document: dict[str, Any]) -> None:
    document["lines"][1]["unit_price"] = usd(1840)


def _shipment_of_unknown_line(document: dict[str, Any]) -> None:
    document["shipments"][0]["lines"] = [
        {"line_id": "L1", "quantity": 1},
        {"line_id": "L7", "quantity": 1},
        {"line_id": "L8", "quantity": 1},
    ]


def _duplicate_line_ids(document: dict[str, Any]) -> None:
    document["lines"][1]["external_id"] = "L1"
    document["shipments"] = []


def _no_way_to_reach_the_customer(document: dict[str, Any]) -> None:
    document["customer"] = {"name": "山田 花子"}


@pytest.mark.parametrize(
    ("spoil", "errors"),
    [
        (_without_number, {"number": ["Missing data for required field."]}),
        (_zero_quantity, {"lines": {"0": {"quantity": ["Must be greater than or equal to 1."]}}}),
        (_string_quantity, {"lines": {"1": {"quantity": ["Not a valid integer."]}}}),
        (_naive_placed_at, {"placed_at": ["Not a valid aware datetime."]}),
        (
            _line_in_dollars,
            {"lines": {"1": {"unit_price": {"currency": ["must be the order's currency JPY"]}}}},
        ),
        (
            _shipment_of_unknown_line,
            {
                "shipments": {
                    "0": {
                        "lines": {
                            "1": {"line_id": ["no line 'L7'"]},
                            "2": {"line_id": ["no line 'L8'"]},
                        }
                    }
                }
            },
        ),
        (_duplicate_line_ids, {"lines": {"_schema": ["line external_id 'L1' appears twice"]}}),
        (
            _no_way_to_reach_the_customer,
            {"customer": {"email": ["an e-mail address or a phone number is required"]}},
        ),
    ],
    ids=[
        "missing-number",
        "quantity-0",
        "quantity-string",
        "naive-placed-at",
        "line-currency",
        "shipment-unknown-line",
        "duplicate-line-ids",
        "no-email-nor-phone",
    ],
)
def test_bad_document_is_422_naming_the_field_and_writes_nothing(
    client: FlaskClient,
    integration: dict[str, str],
    count_rows: CountRows,
    spoil: Callable[[dict[str, Any]], None],
    errors: dict[str, Any],
) -> None:
    document = copy.deepcopy(jpy_order())
    spoil(document)

    response = put_order(client, integration, "A-1001", document)

    assert response.status_code == 422
    assert response.json["errors"] == {"json": errors}
    assert count_rows() == NOTHING


def test_bad_replacement_leaves_the_stored_order_as_it_was(
    client: FlaskClient, integration: dict[str, str]
) -> None:
    put_order(client, integration, "A-1001", jpy_order())
    before = client.get("/api/v1/orders/A-1001", headers=integration).json
    document = jpy_order()
    document["updated_at"] = "2025-03-05T00:00:00+09:00"
    document["number"] = "#CHANGED"
    document["lines"][0]["quantity"] = 0

    assert put_order(client, integration, "A-1001", document).status_code == 422
    assert client.get("/api/v1/orders/A-1001", headers=integration).json == before
