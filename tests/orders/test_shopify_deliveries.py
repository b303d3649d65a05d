"""Shopify webhook deliveries refused, replayed or stale: signatures, bad bodies and
fields (which write nothing), repeated delivery ids and older updates.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from returns_service.orders.shopify import verify_hmac
from tests.orders.shopify import (
    AUTHORIZED,
    AUTHORIZED_LIST,
    NOTHING,
    PARTIALLY_REFUNDED,
    SIGNATURE_VECTORS,
    CountRows,
    SharedJson,
    ipod_lines,
    sign,
)


def test_shopify_signature_vectors(shared_json: SharedJson) -> None:
    vectors = {v["id"]: v for v in shared_json(SIGNATURE_VECTORS)["shopify_vectors"]}
    positive = vectors["sqlpage-shopify-base64"]
    negative = vectors["webhookdb-shopify-negative"]

    assert positive["expect_valid"] is True
    assert verify_hmac(
        positive["secret"], positive["body"].encode(), positive["expected_x_shopify_hmac_sha256"]
    )
    # Changing one byte of the body breaks it.
    assert not verify_hmac(
        positive["secret"],
        positive["body"].replace("123.45", "123.46").encode(),
        positive["expected_x_shopify_hmac_sha256"],
    )
    assert negative["expect_valid"] is False
    assert not verify_hmac(negative["secret"], negative["body"].encode(), negative["header_value"])
    # The right digest for it is accepted, base64 only.
    assert verify_hmac(negative["secret"], negative["body"].encode(), negative["recomputed_base64"])


def test_verify_hmac_refuses_an_empty_secret_or_header() -> None:
    body = b'{"id":1}'
    assert not verify_hmac("", body, sign(body, ""))
    assert not verify_hmac("secret", body, None)
    assert not verify_hmac("secret", body, "")


def test_vector_body_delivered_with_its_published_signature(
    deliver: Any, shared_json: SharedJson, shopify_secret: str
) -> None:
    # The published vector happens to use our test secret: its header is accepted as is.
    [positive] = [v for v in shared_json(SIGNATURE_VECTORS)["shopify_vectors"] if v["expect_valid"]]
    assert positive["secret"] == shopify_secret

    response = deliver(
        "shop/update",
        body=positive["body"].encode(),
        signature=positive["expected_x_shopify_hmac_sha256"],
    )

    assert response.status_code == 200
    assert response.json == {"status": "ignored", "topic": "shop/update"}


def test_bad_signature_is_401_and_writes_nothing(
    deliver: Any, shared_json: SharedJson, count_rows: CountRows
) -> None:
    order = shared_json(AUTHORIZED)["order"]
    body = json.dumps(order).encode()

    response = deliver("orders/create", body=body, signature=sign(body, "another-secret"))

    assert response.status_code == 401
    assert response.json["message"] == (
        "the X-Shopify-Hmac-Sha256 signature does not match the body"
    )
    assert count_rows() == NOTHING


def test_signature_of_another_body_is_401(
    deliver: Any, shared_json: SharedJson, shopify_secret: str, count_rows: CountRows
) -> None:
    order = shared_json(AUTHORIZED)["order"]
    signed = json.dumps(order).encode()
    tampered = json.dumps(dict(order, total_price="0.01")).encode()

    response = deliver("orders/create", body=tampered, signature=sign(signed, shopify_secret))

    assert response.status_code == 401
    assert count_rows() == NOTHING


def test_missing_signature_is_401(
    deliver: Any, shared_json: SharedJson, count_rows: CountRows
) -> None:
    response = deliver("orders/create", shared_json(AUTHORIZED)["order"], signature="")

    assert response.status_code == 401
    assert count_rows() == NOTHING


def test_unknown_topic_is_acknowledged_and_ignored(
    deliver: Any, shared_json: SharedJson, count_rows: CountRows
) -> None:
    response = deliver("customers/update", shared_json(AUTHORIZED)["order"]["customer"])

    assert response.status_code == 200
    assert response.json == {"status": "ignored", "topic": "customers/update"}
    assert count_rows() == NOTHING


def test_body_that_is_not_json_is_422(deliver: Any, count_rows: CountRows) -> None:
    response = deliver("orders/create", body=b'{"id": 450789469, "line_items": [')

    assert response.status_code == 422
    assert response.json["message"].startswith("the body is not JSON: ")
    assert count_rows() == NOTHING


def test_json_that_is_not_an_object_is_422(deliver: Any) -> None:
    response = deliver("orders/create", [1, 2, 3])

    assert response.status_code == 422
    assert response.json["message"] == "the body must be a JSON object"


def test_line_without_a_price_is_422_and_writes_nothing(
    deliver: Any, shared_json: SharedJson, count_rows: CountRows
) -> None:
    order = shared_json(AUTHORIZED)["order"]
    del order["line_items"][1]["price"]

    response = deliver("orders/create", order)

    assert response.status_code == 422
    assert response.json["message"] == "the payload is missing or has a bad field: 'price'"
    assert count_rows() == NOTHING


def test_price_that_is_not_a_number_is_422(
    deliver: Any, shared_json: SharedJson, count_rows: CountRows
) -> None:
    order = shared_json(AUTHORIZED)["order"]
    order["line_items"][0]["price"] = "one hundred"

    response = deliver("orders/create", order)

    assert response.status_code == 422
    assert response.json["message"] == (
        "the payload is missing or has a bad field: 'one hundred' is not an amount of money"
    )
    assert count_rows() == NOTHING


@pytest.mark.parametrize("price", ["1e40", "99999999999999999999"])
def test_price_too_large_to_store_is_422(
    deliver: Any, shared_json: SharedJson, count_rows: CountRows, price: str
) -> None:
    order = shared_json(AUTHORIZED)["order"]
    order["line_items"][0]["price"] = price

    response = deliver("orders/create", order)

    assert response.status_code == 422
    assert response.json["message"] == (
        f"the payload is missing or has a bad field: {price!r} is not an amount of money"
    )
    assert count_rows() == NOTHING


def test_bad_field_is_422_naming_it_and_writes_nothing(
    deliver: Any, shared_json: SharedJson, count_rows: CountRows
) -> None:
    order = shared_json(AUTHORIZED)["order"]
    order["line_items"][2]["quantity"] = "1"

    response = deliver("orders/create", order)

    assert response.status_code == 422
    assert response.json["errors"] == {
        "json": {"lines": {"2": {"quantity": ["Not a valid integer."]}}}
    }
    assert count_rows() == NOTHING


def test_order_without_id_is_422(
    deliver: Any, shared_json: SharedJson, count_rows: CountRows
) -> None:
    order = shared_json(AUTHORIZED)["order"]
    del order["id"]

    response = deliver("orders/create", order)

    assert response.status_code == 422
    assert response.json["message"] == "the payload is missing or has a bad field: 'id'"
    assert count_rows() == NOTHING


def test_replayed_delivery_changes_nothing(
    deliver: Any, read_order: Any, shared_json: SharedJson
) -> None:
    order = shared_json(AUTHORIZED)["order"]
    assert deliver("orders/create", order, webhook_id="delivery-1").status_code == 200
    before = read_order("450789469")

    changed = copy.deepcopy(order)
    changed["financial_status"] = "paid"
    changed["updated_at"] = "2008-01-11T09:00:00-05:00"
    changed["line_items"][0]["quantity"] = 5
    replay = deliver("orders/updated", changed, webhook_id="delivery-1")

    assert replay.status_code == 200
    assert replay.json == {"status": "duplicate"}
    assert read_order("450789469") == before

    # The same change under a new delivery id is applied.
    fresh = deliver("orders/updated", changed, webhook_id="delivery-2")
    assert fresh.json == {"status": "updated", "topic": "orders/updated"}
    after = read_order("450789469")
    assert (after["financial_status"], after["lines"][0][3]) == ("paid", 5)


def test_older_update_after_a_newer_one_changes_nothing(
    deliver: Any, read_order: Any, shared_json: SharedJson
) -> None:
    [newer] = shared_json(AUTHORIZED_LIST)["orders"]  # updated_at 2024-04-02T09:04:19-05:00
    older = shared_json(PARTIALLY_REFUNDED)["order"]  # updated_at 2008-01-10T11:00:00-05:00
    assert newer["id"] == older["id"]

    assert deliver("orders/updated", newer).json["status"] == "created"
    before = read_order("450789469")

    response = deliver("orders/updated", older)

    assert response.status_code == 200
    assert response.json == {"status": "stale", "topic": "orders/updated"}
    assert read_order("450789469") == before
    assert before["financial_status"] == "authorized"


def test_refused_delivery_can_be_sent_again_once_fixed(
    deliver: Any, read_order: Any, shared_json: SharedJson
) -> None:
    # A refused delivery is not recorded as received: Shopify's retry is applied.
    order = shared_json(AUTHORIZED)["order"]
    broken = copy.deepcopy(order)
    del broken["line_items"][0]["price"]
    assert deliver("orders/create", broken, webhook_id="delivery-9").status_code == 422

    retry = deliver("orders/create", order, webhook_id="delivery-9")

    assert retry.json == {"status": "created", "topic": "orders/create"}
    assert read_order("450789469")["lines"] == ipod_lines(0, 0, 0)
