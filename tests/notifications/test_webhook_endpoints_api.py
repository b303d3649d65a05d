"""The admin API of webhook endpoints and their delivery log."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.auth.models import Role
from returns_service.notifications.models import WebhookDelivery, WebhookEndpoint

BASE = "/api/v1/webhooks/endpoints"
TokenFor = Callable[[Role], dict[str, str]]


@pytest.fixture
def admin(token_for: TokenFor) -> dict[str, str]:
    """The Authorization header of an admin token."""
    return token_for(Role.ADMIN)


def _create(client: FlaskClient, admin: dict[str, str], **fields: object) -> dict:
    answer = client.post(
        BASE, json={"url": "https://erp.example.com/hooks", **fields}, headers=admin
    )
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def test_create_shows_a_generated_secret_once(
    client: FlaskClient, session: Session, admin: dict[str, str]
) -> None:
    created = _create(
        client,
        admin,
        events=["return.approved", "refund.issued", "return.approved"],
        description="ERP",
    )

    assert created["url"] == "https://erp.example.com/hooks"
    assert created["events"] == ["refund.issued", "return.approved"]
    assert created["active"] is True and created["description"] == "ERP"
    assert len(created["secret"]) >= 32
    stored = session.get(WebhookEndpoint, created["id"])
    assert stored is not None and stored.secret == created["secret"]
    listed = client.get(BASE, headers=admin).get_json()
    assert [e["id"] for e in listed] == [created["id"]]
    assert "secret" not in listed[0]


def test_a_given_secret_is_kept(client: FlaskClient, admin: dict[str, str]) -> None:
    created = _create(client, admin, url="http://127.0.0.1:8080/in", secret="s" * 24)

    assert created["secret"] == "s" * 24 and created["events"] == []


def test_update_changes_only_the_fields_given(
    client: FlaskClient, session: Session, admin: dict[str, str]
) -> None:
    created = _create(client, admin, events=["return.created"], description="ERP")

    answer = client.put(
        f"{BASE}/{created['id']}", json={"active": False, "events": []}, headers=admin
    )

    assert answer.status_code == 200
    updated = answer.get_json()
    assert updated["active"] is False and updated["events"] == []
    assert updated["description"] == "ERP" and updated["url"] == created["url"]
    assert "secret" not in updated
    session.expire_all()
    assert session.get(WebhookEndpoint, created["id"]).secret == created["secret"]


def test_delete_removes_the_endpoint_and_its_log(
    client: FlaskClient, session: Session, admin: dict[str, str]
) -> None:
    created = _create(client, admin)
    session.add(
        WebhookDelivery(
            outbox_message_id="d1",
            endpoint_id=created["id"],
            event="return.approved",
            status_code=200,
            attempted_at=datetime.now(UTC),
            duration_ms=12,
        )
    )
    session.commit()

    assert client.delete(f"{BASE}/{created['id']}", headers=admin).status_code == 204

    assert client.get(BASE, headers=admin).get_json() == []
    assert session.scalars(select(WebhookDelivery)).all() == []
    assert client.delete(f"{BASE}/{created['id']}", headers=admin).status_code == 404


def test_deliveries_are_listed_newest_first(
    client: FlaskClient, session: Session, admin: dict[str, str]
) -> None:
    created = _create(client, admin)
    start = datetime(2026, 12, 1, tzinfo=UTC)
    for minutes, status, error in [(0, 500, "HTTP 500"), (1, 200, None)]:
        session.add(
            WebhookDelivery(
                outbox_message_id="d1",
                endpoint_id=created["id"],
                event="refund.issued",
                status_code=status,
                attempted_at=start + timedelta(minutes=minutes),
                duration_ms=40,
                error=error,
            )
        )
    session.commit()

    answer = client.get(f"{BASE}/{created['id']}/deliveries", headers=admin)

    assert answer.status_code == 200
    log = answer.get_json()
    assert [(d["status_code"], d["error"]) for d in log] == [(200, None), (500, "HTTP 500")]
    assert log[0]["delivery_id"] == "d1" and log[0]["event"] == "refund.issued"
    limited = client.get(f"{BASE}/{created['id']}/deliveries?limit=1", headers=admin)
    assert len(limited.get_json()) == 1
    assert (
        client.get(f"{BASE}/{created['id']}/deliveries?limit=0", headers=admin).status_code == 422
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "url"),
        ({"url": "ftp://erp.example.com/hooks"}, "url"),
        ({"url": "erp.example.com/hooks"}, "url"),
        ({"url": "https://erp.example.com", "events": ["Return Approved"]}, "events"),
        ({"url": "https://erp.example.com", "secret": "short"}, "secret"),
        ({"url": "https://erp.example.com", "surprise": 1}, "surprise"),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    client: FlaskClient, session: Session, admin: dict[str, str], body: dict, field: str
) -> None:
    answer = client.post(BASE, json=body, headers=admin)

    assert answer.status_code == 422
    assert field in answer.get_json()["errors"]["json"]
    assert session.scalars(select(WebhookEndpoint)).all() == []


def test_update_refuses_a_bad_url(client: FlaskClient, admin: dict[str, str]) -> None:
    created = _create(client, admin)

    answer = client.put(
        f"{BASE}/{created['id']}", json={"url": "javascript:alert(1)"}, headers=admin
    )

    assert answer.status_code == 422
    assert "url" in answer.get_json()["errors"]["json"]


def test_unknown_endpoints_are_404(client: FlaskClient, admin: dict[str, str]) -> None:
    assert client.put(f"{BASE}/999", json={"active": False}, headers=admin).status_code == 404
    assert client.get(f"{BASE}/999/deliveries", headers=admin).status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", BASE, None),
        ("post", BASE, {"url": "bad"}),
        ("put", f"{BASE}/1", {"url": "bad"}),
        ("delete", f"{BASE}/1", None),
        ("get", f"{BASE}/1/deliveries", None),
    ],
)
def test_only_admins_may_use_it(
    client: FlaskClient, token_for: TokenFor, method: str, path: str, body: dict | None
) -> None:
    call = getattr(client, method)

    assert call(path, json=body).status_code == 401
    assert call(path, json=body, headers={"Authorization": "Bearer nope"}).status_code == 401
    for role in (Role.AGENT, Role.WAREHOUSE, Role.INTEGRATION):
        answer = call(path, json=body, headers=token_for(role))
        assert answer.status_code == 403, role


@pytest.mark.parametrize(
    "url",
    [
        "http://erp.example.com/hooks",
        "https://127.0.0.1/hooks",
        "https://localhost:5432/",
        "https://169.254.169.254/latest/meta-data/",
        "https://192.168.1.10/hooks",
        "https://[::ffff:10.0.0.1]/hooks",
        "https://admin:pw@erp.example.com/hooks",
    ],
)
def test_urls_into_the_services_own_network_are_refused(
    client: FlaskClient,
    session: Session,
    admin: dict[str, str],
    override_config: Callable[..., AbstractContextManager[None]],
    url: str,
) -> None:
    with override_config(WEBHOOK_HTTP_HOSTS=""):
        created = client.post(BASE, json={"url": url}, headers=admin)
        endpoint = _create(client, admin)
        changed = client.put(f"{BASE}/{endpoint['id']}", json={"url": url}, headers=admin)

    for answer in (created, changed):
        assert answer.status_code == 422, answer.get_json()
        assert list(answer.get_json()["errors"]["json"]) == ["url"]
    assert session.scalars(select(WebhookEndpoint.url)).all() == ["https://erp.example.com/hooks"]


def test_an_allow_listed_development_host_may_use_plain_http(
    client: FlaskClient,
    admin: dict[str, str],
    override_config: Callable[..., AbstractContextManager[None]],
) -> None:
    with override_config(WEBHOOK_HTTP_HOSTS="localhost"):
        allowed = client.post(BASE, json={"url": "http://localhost:8080/in"}, headers=admin)
        other = client.post(BASE, json={"url": "http://127.0.0.1:8080/in"}, headers=admin)

    assert allowed.status_code == 201
    assert other.status_code == 422
