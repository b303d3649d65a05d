"""Liveness and readiness."""

from flask.testing import FlaskClient


def test_healthz_answers(client: FlaskClient) -> None:
    assert client.get("/healthz").json == {"status": "ok"}


def test_readyz_reports_ready_when_database_and_redis_answer(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["status"] == "ready"


def test_openapi_document_lists_the_order_endpoints(client: FlaskClient) -> None:
    document = client.get("/api/openapi.json").json
    assert "/api/v1/orders/{external_id}" in document["paths"]
    put = document["paths"]["/api/v1/orders/{external_id}"]["put"]
    assert {"200", "201", "401", "403", "422"} <= set(put["responses"])
    assert client.get("/api/docs").status_code == 200
