"""LINE against a loopback Messaging API: the SDK's signature test vector, a customer linking
their account with a code from the portal through the signed webhook (the SDK's own webhook
events), status pushes beside or instead of e-mail, and the status keyword."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from returns_service.integrations.line.mapping import signature, verify
from tests.conftest import shared_payload
from tests.shop import Inbox, Shop

VECTOR = "line_bot_sdk_python__push_message_request_and_x_line_signature_test_vector.json"
EVENTS = "line_bot_sdk_python__v3_webhook_callback_all_event_types.json"
SECRET = "channel_secret"  # the test vector's secret
TOKEN = "line-channel-access-token"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def test_signatures_match_the_sdk_test_vector() -> None:
    vector = shared_payload(VECTOR)["signature_test_vector"]
    body = vector["body"].encode()
    assert signature(vector["channel_secret"], body) == vector["x_line_signature"]
    assert verify(vector["channel_secret"], vector["x_line_signature"], body)
    assert not verify(vector["channel_secret"], vector["negative_case"]["x_line_signature"], body)


class FakeLine:
    """The Messaging API's push and reply endpoints, recording what they are sent."""

    def __init__(self, server: HTTPServer) -> None:
        self.pushes: list[tuple[dict[str, str], dict[str, Any]]] = []
        self.replies: list[dict[str, Any]] = []
        self.answer = shared_payload(VECTOR)["push_message_request"]["mocked_response"]
        server.expect_request("/v2/bot/message/push", method="POST").respond_with_handler(
            self._push
        )
        server.expect_request("/v2/bot/message/reply", method="POST").respond_with_handler(
            self._reply
        )

    def _push(self, request: Request) -> Response:
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        self.pushes.append((dict(request.headers), request.get_json()))
        return Response(json.dumps(self.answer["body"]), self.answer["status"])

    def _reply(self, request: Request) -> Response:
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        self.replies.append(request.get_json())
        return Response("{}", 200, content_type="application/json")

    def texts(self) -> list[str]:
        return [m["text"] for _, body in self.pushes for m in body["messages"]]

    def replied(self) -> list[str]:
        return [m["text"] for body in self.replies for m in body["messages"]]


@pytest.fixture
def line(httpserver: HTTPServer, configure: Callable[..., None]) -> FakeLine:
    """The app sending on a loopback LINE."""
    fake = FakeLine(httpserver)
    configure(
        LINE_CHANNEL_SECRET=SECRET,
        LINE_CHANNEL_ACCESS_TOKEN=TOKEN,
        LINE_API_BASE=httpserver.url_for("").rstrip("/"),
    )
    return fake


def _event(kind: str, **changes: Any) -> dict[str, Any]:
    """One of the SDK's webhook events of a type, changed where the test says."""
    event = next(e for e in shared_payload(EVENTS)["events"] if e["type"] == kind)
    event = copy.deepcopy(event)
    for key, value in changes.items():
        event[key] = {**event[key], **value} if isinstance(value, dict) else value
    return event


def _deliver(shop: Shop, *events: dict[str, Any], secret: str = SECRET) -> Any:
    body = json.dumps({"destination": "U123", "events": list(events)}, ensure_ascii=False).encode()
    headers = {"X-Line-Signature": signature(secret, body), "Content-Type": "application/json"}
    return shop.client.post("/webhooks/line", data=body, headers=headers)


def test_a_customer_links_line_and_gets_status_messages_there(
    shop: Shop, line: FakeLine, inbox: Inbox
) -> None:
    order = shop.put_order()
    customer = shop.customer()
    shown = shop.client.post("/api/v1/portal/line", headers=customer)
    assert shown.status_code == 201, shown.json
    code = shown.json["link_code"]
    assert re.fullmatch(r"\d{6}", code) and shown.json["linked"] is False
    user = _event("follow")["source"]["userId"]

    forged = _deliver(shop, _event("follow"), secret="not-the-channel-secret")
    assert forged.status_code == 401
    assert _deliver(shop, _event("follow")).status_code == 200
    said = _deliver(shop, _event("message", message={"type": "text", "text": code}))
    assert said.status_code == 200
    shop.run_jobs()
    assert line.replied()[0].startswith("友だち追加ありがとうございます")
    assert (
        line.replied()[1]
        == "LINEアカウントの連携が完了しました。今後のお知らせはLINEでもお届けします。"
    )
    assert shop.client.get("/api/v1/portal/line", headers=customer).json["linked"] is True

    # Both channels (the default once linked): the same message by e-mail and on LINE.
    filed = shop.file(
        customer,
        [{"line_id": shop.line_id(order, "L1"), "quantity": 1, "reason": "SIZE_TOO_SMALL"}],
    )
    rma = filed.json["rma"]
    shop.run_jobs()
    pushed_subjects = [text.split("\n")[0] for text in line.texts()]
    assert pushed_subjects == inbox.subjects()
    headers, body = line.pushes[0]
    assert body["to"] == user and body["notificationDisabled"] is False
    assert UUID.match(headers["X-Line-Retry-Key"])
    assert "http://returns.test" in line.texts()[0]  # the status link, as in the e-mail

    chosen = shop.client.put("/api/v1/portal/line", json={"channel": "line"}, headers=customer)
    assert chosen.status_code == 200 and chosen.json["channel"] == "line"
    mails = len(inbox.messages)
    cancelled = shop.client.post(f"/api/v1/returns/{rma}/cancel", json={}, headers=customer)
    assert cancelled.status_code == 200, cancelled.json
    shop.run_jobs()
    assert len(inbox.messages) == mails  # LINE instead of e-mail
    assert line.texts()[-1].startswith(f"返品のお申し込みを取り消しました（返品番号 {rma}）")


def test_the_status_keyword_lists_open_cases_in_words_and_unfollow_returns_to_email(
    shop: Shop, line: FakeLine, inbox: Inbox
) -> None:
    order = shop.put_order()
    customer = shop.customer()
    code = shop.client.post("/api/v1/portal/line", headers=customer).json["link_code"]
    _deliver(shop, _event("message", message={"type": "text", "text": code}))
    shop.client.put("/api/v1/portal/line", json={"channel": "line"}, headers=customer)
    rma = shop.file(
        customer, [{"line_id": shop.line_id(order, "L4"), "quantity": 1, "reason": "UNWANTED"}]
    ).json["rma"]
    shop.run_jobs()
    line.replies.clear()

    _deliver(shop, _event("message", message={"type": "text", "text": "状況"}))
    shop.run_jobs()
    [answer, link] = line.replied()
    assert f"返品 {rma}（ご注文 #5001）：担当者が確認中" in answer
    assert "review" not in answer
    assert link == "詳しくはこちらからご確認いただけます：http://returns.test"

    _deliver(shop, _event("unfollow"))
    mails = len(inbox.messages)
    pushes = len(line.pushes)
    shop.client.post(f"/api/v1/returns/{rma}/approve", json={}, headers=shop.agent)
    shop.run_jobs()
    assert len(inbox.messages) == mails + 1 and len(line.pushes) == pushes


def test_choosing_line_without_a_link_is_refused_naming_the_field(
    shop: Shop, line: FakeLine
) -> None:
    shop.put_order()
    customer = shop.customer()
    refused = shop.client.put("/api/v1/portal/line", json={"channel": "line"}, headers=customer)
    assert refused.status_code == 409
    assert "channel" in refused.json["errors"]["json"]
    wrong = shop.client.put("/api/v1/portal/line", json={"channel": "fax"}, headers=customer)
    assert wrong.status_code == 422 and "channel" in wrong.json["errors"]["json"]
