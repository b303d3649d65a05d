"""Who may write and read orders through the API: bearer tokens, roles, and the order of the
checks."""

from __future__ import annotations

from flask.testing import FlaskClient

from returns_service.auth.models import Role
from tests.orders.order_api import TokenFor, jpy_order, put_order
from tests.orders.shopify import NOTHING, CountRows


def test_put_without_token_is_401(client: FlaskClient, count_rows: CountRows) -> None:
    response = client.put("/api/v1/orders/A-1001", json=jpy_order())
    assert response.status_code == 401
    assert response.json["message"] == "an Authorization: Bearer <token> header is required"
    assert count_rows() == NOTHING


def test_put_with_bad_token_is_401(
    client: FlaskClient, integration: dict[str, str], count_rows: CountRows
) -> None:
    response = client.put(
        "/api/v1/orders/A-1001",
        json=jpy_order(),
        headers={"Authorization": integration["Authorization"] + "x"},
    )
    assert response.status_code == 401
    assert response.json["message"] == "the token is not valid"
    assert count_rows() == NOTHING


def test_get_without_token_is_401(client: FlaskClient, integration: dict[str, str]) -> None:
    put_order(client, integration, "A-1001", jpy_order())
    assert client.get("/api/v1/orders/A-1001").status_code == 401


def test_put_with_warehouse_token_is_403(
    client: FlaskClient, token_for: TokenFor, count_rows: CountRows
) -> None:
    response = put_order(client, token_for(Role.WAREHOUSE), "A-1001", jpy_order())
    assert response.status_code == 403
    assert response.json["message"] == "this needs one of the roles: admin, integration"
    assert count_rows() == NOTHING


def test_auth_is_checked_before_the_body(client: FlaskClient, token_for: TokenFor) -> None:
    # A stranger learns nothing about the expected document from validation errors.
    anonymous = client.put("/api/v1/orders/A-1001", json={"number": 1})
    assert (anonymous.status_code, "errors" in anonymous.json) == (401, False)
    warehouse = put_order(client, token_for(Role.WAREHOUSE), "A-1001", {"number": 1})
    assert (warehouse.status_code, "errors" in warehouse.json) == (403, False)
    shipment = client.post("/api/v1/orders/A-1001/shipments", json={})
    assert shipment.status_code == 401


def test_warehouse_and_agent_tokens_may_read(
    client: FlaskClient, integration: dict[str, str], token_for: TokenFor
) -> None:
    put_order(client, integration, "A-1001", jpy_order())
    assert client.get("/api/v1/orders/A-1001", headers=token_for(Role.WAREHOUSE)).status_code == 200
    assert client.get("/api/v1/orders/A-1001", headers=token_for(Role.AGENT)).status_code == 200
