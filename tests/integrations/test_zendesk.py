"""The Zendesk bridge against a loopback Zendesk answering with the recorded exchanges of
``zendesk_api_client_rb__tickets_create_and_update__vcr_request_response_pairs.json``: a
case in review opens a ticket, later events add notes, its end solves it, and an agent's
public reply comes back through the signed webhook onto the case's timeline."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug import Request, Response

from returns_service.cancellations.models import Cancellation
from returns_service.integrations.models import IntegrationLink
from returns_service.integrations.zendesk.mapping import signature
from returns_service.models import utcnow
from tests.cancellations.conftest import Cancellations
from tests.conftest import shared_payload
from tests.integrations.conftest import receive_and_inspect
from tests.shop import Shop

RECORDED = "zendesk_api_client_rb__tickets_create_and_update__vcr_request_response_pairs.json"
SECRET = "zendesk-signing-secret"
TOKEN = "zendesk-api-token"


class FakeZendesk:
    """Tickets of one account: created with the recorded answer, updated in place."""

    def __init__(self, server: HTTPServer) -> None:
        recorded = shared_payload(RECORDED)
        self.created_answer = recorded[0]["response"]["body"]
        self.updated_answer = recorded[2]["response"]["body"]
        self.created: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        self.auth: set[str] = set()
        server.expect_request("/api/v2/tickets.json", method="GET").respond_with_handler(self._find)
        server.expect_request("/api/v2/tickets.json", method="POST").respond_with_handler(
            self._create
        )
        ticket_id = self.created_answer["ticket"]["id"]
        server.expect_request(
            f"/api/v2/tickets/{ticket_id}.json", method="PUT"
        ).respond_with_handler(self._update)

    def _json(self, body: Any, status: int = 200) -> Response:
        return Response(json.dumps(body), status, content_type="application/json")

    def _find(self, request: Request) -> Response:
        self.auth.add(request.headers["Authorization"])
        wanted = request.args["external_id"]
        found = [t for t in self.created if t["ticket"]["external_id"] == wanted]
        tickets = [self.created_answer["ticket"] | {"external_id": wanted}] if found else []
        return self._json({"tickets": tickets, "count": len(tickets)})

    def _create(self, request: Request) -> Response:
        self.auth.add(request.headers["Authorization"])
        self.created.append(request.get_json())
        return self._json(self.created_answer, 201)

    def _update(self, request: Request) -> Response:
        self.auth.add(request.headers["Authorization"])
        self.updates.append(request.get_json()["ticket"])
        return self._json(self.updated_answer)


@pytest.fixture
def zendesk(httpserver: HTTPServer, configure: Callable[..., None]) -> FakeZendesk:
    """The app bridged to a loopback Zendesk."""
    fake = FakeZendesk(httpserver)
    configure(
        ZENDESK_API_BASE=httpserver.url_for("").rstrip("/"),
        ZENDESK_EMAIL="desk@shop.example",
        ZENDESK_API_TOKEN=TOKEN,
        ZENDESK_WEBHOOK_SECRET=SECRET,
    )
    return fake


def _signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    timestamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "X-Zendesk-Webhook-Signature": signature(secret, timestamp, body),
        "X-Zendesk-Webhook-Signature-Timestamp": timestamp,
        "Content-Type": "application/json",
    }


def _reply(ticket_id: int, comment_id: int, text: str) -> bytes:
    """An event webhook for a public agent comment, in the envelope of Zendesk's events."""
    return json.dumps(
        {
            "type": "zen:event-type:ticket.comment_added",
            "id": f"evt-{comment_id}",
            "subject": f"zen:ticket:{ticket_id}",
            "time": "2026-12-02T10:00:00Z",
            "zendesk_event_version": "2022-11-06",
            "detail": {"id": str(ticket_id), "status": "OPEN"},
            "event": {
                "comment": {
                    "id": str(comment_id),
                    "body": text,
                    "is_public": True,
                    "author": {"id": "900", "name": "山田 太郎", "is_staff": True},
                }
            },
        },
        ensure_ascii=False,
    ).encode()


def test_a_case_in_review_is_ticketed_noted_solved_and_the_agents_reply_kept(
    shop: Shop, zendesk: FakeZendesk, session: Session
) -> None:
    order = shop.put_order()
    filed = shop.file(
        shop.customer(),
        [{"line_id": shop.line_id(order, "L4"), "quantity": 1, "reason": "UNWANTED"}],
    )
    assert filed.json["status"] == "review"
    rma = filed.json["rma"]
    shop.run_jobs()
    shop.run_jobs()

    [created] = zendesk.created
    ticket = created["ticket"]
    assert ticket["requester"] == {
        "name": "佐藤 花子",
        "email": "hanako@example.jp",
        "locale": "ja",
    }
    assert ticket["subject"] == f"[return {rma}] order #5001: review"
    assert f"http://returns.test/staff/returns/{rma}" in ticket["comment"]["body"]
    assert "銅のやかん (KETTLE) × 1: UNWANTED" in ticket["comment"]["body"]
    assert ticket["comment"]["public"] is False
    assert {"kind_return", "priority_normal", "reason_unwanted"} <= set(ticket["tags"])
    expected = base64.b64encode(f"desk@shop.example/token:{TOKEN}".encode()).decode()
    assert zendesk.auth == {f"Basic {expected}"}
    ticket_id = zendesk.created_answer["ticket"]["id"]

    approved = shop.client.post(
        f"/api/v1/returns/{rma}/approve", json={"message": "写真を確認しました"}, headers=shop.agent
    )
    assert approved.status_code == 200
    shop.run_jobs()
    notes = [u["comment"]["body"] for u in zendesk.updates]
    assert any(n.startswith("return.approved") and "写真を確認しました" in n for n in notes)
    assert all(u["comment"]["public"] is False for u in zendesk.updates)

    body = _reply(ticket_id, 4711, "ご返送をお待ちしております。")
    forged = shop.client.post("/webhooks/zendesk", data=body, headers=_signed(body, "wrong"))
    assert forged.status_code == 401
    kept = shop.client.post("/webhooks/zendesk", data=body, headers=_signed(body))
    again = shop.client.post("/webhooks/zendesk", data=body, headers=_signed(body))
    assert (kept.status_code, kept.json["kept"]) == (200, True)
    assert again.json["kept"] is False
    replies = [e for e in shop.get(rma)["timeline"] if e["kind"] == "zendesk.agent_replied"]
    assert [(r["message"], r["actor"]) for r in replies] == [
        ("ご返送をお待ちしております。", "zendesk:山田 太郎")
    ]

    receive_and_inspect(shop, rma, approved.json["lines"][0]["id"])
    shop.run_jobs()

    assert zendesk.updates[-1]["status"] == "solved"
    assert [u.get("status") for u in zendesk.updates].count("solved") == 1
    session.expire_all()
    link = session.scalar(select(IntegrationLink).where(IntegrationLink.system == "zendesk"))
    assert (link.external_id, link.state) == (str(ticket_id), "solved")


def test_a_return_the_rules_decide_opens_no_ticket(shop: Shop, zendesk: FakeZendesk) -> None:
    order = shop.put_order()
    shop.file(
        shop.customer(), [{"line_id": shop.line_id(order, "L3"), "quantity": 1, "reason": "STYLE"}]
    )
    shop.run_jobs()
    assert zendesk.created == [] and zendesk.updates == []


def test_a_stop_nobody_answered_is_ticketed_first_and_solved_when_settled(
    shop: Shop, zendesk: FakeZendesk, cancellations: Cancellations, session: Session
) -> None:
    order = cancellations.put_order(fulfillment_status="packed")
    pending = cancellations.cancel(cancellations.customer(order)).json
    session.execute(
        update(Cancellation).values(stop_requested_at=utcnow() - timedelta(minutes=121))
    )
    session.commit()
    shop.run_jobs()  # the periodic round sends it to a person, which opens the ticket
    shop.run_jobs()

    [created] = zendesk.created
    assert created["ticket"]["priority"] == "high"
    assert {"kind_cancellation", "priority_high"} <= set(created["ticket"]["tags"])
    assert created["ticket"]["external_id"] == f"returns-service:cancellation:{pending['id']}"

    settled = shop.client.post(
        f"/api/v1/cancellations/{pending['id']}/approve", json={}, headers=shop.agent
    )
    assert settled.json["status"] == "cancelled"
    shop.run_jobs()
    assert [u.get("status") for u in zendesk.updates][-1] == "solved"
