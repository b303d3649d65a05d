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


def test_a_caller_without_a_token_learns_nothing_about_the_body(client: FlaskClient) -> None:
    for path in ("/api/v1/returns", "/api/v1/rules/drafts", "/api/v1/returns/R-1/reject"):
        response = client.post(path, json={"nonsense": True})
        assert response.status_code == 401, path


def test_every_api_operation_documents_its_errors(client: FlaskClient) -> None:
    document = client.get("/api/openapi.json").json
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            codes = set(operation["responses"])
            assert codes - {"200", "201", "202", "204"}, f"{method} {path} documents no error"
