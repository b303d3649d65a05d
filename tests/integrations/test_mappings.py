"""The vendors' shapes, checked without a server: what the mapping modules write and read,
and that they (and the clients) stay free of Flask, SQLAlchemy and the app's database."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest

from returns_service.integrations.logiless import mapping as logiless
from returns_service.integrations.shopify_returns import mapping as shopify
from returns_service.integrations.warehouse_system import ShipmentLine, StopOutcome
from returns_service.integrations.zendesk import mapping as zendesk

PACKAGE = Path(__file__).resolve().parents[2] / "returns_service" / "integrations"
PURE = [
    "errors.py",
    "http.py",
    "warehouse_system.py",
    "oauth.py",
    "line/login.py",
    *(
        f"{system}/{part}.py"
        for system in ("logiless", "shopify_returns", "zendesk", "line")
        for part in ("mapping", "client")
    ),
]
#: The only modules of the app a pure module may import.
PURE_IMPORTS = {
    "returns_service.integrations.errors",
    "returns_service.integrations.http",
    "returns_service.integrations.warehouse_system",
    "returns_service.integrations.oauth",
}


@pytest.mark.parametrize("module", PURE)
def test_mapping_and_client_modules_import_no_flask_sqlalchemy_or_app(module: str) -> None:
    tree = ast.parse((PACKAGE / module).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith("returns_service"):
                imported |= {f"{node.module}.{alias.name}" for alias in node.names}
            else:
                imported.add(node.module)
    for name in imported:
        assert not name.startswith(("flask", "sqlalchemy")), f"{module} imports {name}"
        if name.startswith("returns_service"):
            own_mapping = name.endswith(".mapping") and name.rsplit(".", 2)[-2] in module
            parent = name.rsplit(".", 1)[0]
            assert name in PURE_IMPORTS or parent in PURE_IMPORTS or own_mapping, (
                f"{module} imports {name}"
            )


def test_logiless_reads_its_list_envelope_and_both_error_envelopes() -> None:
    page = {
        "data": [{"article_code": "DNM-32", "available": -1}],
        "current_page": 1,
        "limit": 100,
        "total_count": 250,
    }
    assert logiless.has_more(page) is True
    assert logiless.has_more(page | {"current_page": 3}) is False
    assert logiless.stock_level(page["data"][0]).available == 0  # never below nothing
    validation = {"code": 422, "message": "入力内容に誤りがあります", "errors": {"code": ["必須"]}}
    assert logiless.error_detail(validation) == "入力内容に誤りがあります {'code': ['必須']}"
    oauth = {"error": "invalid_token", "error_description": "The access token expired"}
    assert logiless.error_detail(oauth) == "invalid_token: The access token expired"


def test_logiless_times_are_japan_time_without_offset_and_stops_read_deliveries() -> None:
    assert logiless.timestamp(datetime(2026, 12, 2, 15, 30, tzinfo=UTC)) == "2026-12-03 00:30:00"
    assert logiless.merchant_path("12", "/sales_orders/new") == "/merchant/12/sales_orders/new"
    shipped = logiless.left_warehouse([{"delivery_status": "出荷済み", "tracking_number": "4000"}])
    assert logiless.stop_answer(shipped, "77").outcome is StopOutcome.SHIPPED
    assert logiless.stop_answer(None, "77").outcome is StopOutcome.STOPPED
    assert logiless.left_warehouse([{"delivery_status": "waiting"}]) is None


def test_shopify_return_lines_point_at_fulfillment_lines_split_across_fulfillments() -> None:
    fulfilled = {
        "gid://shopify/LineItem/1": [
            ("gid://shopify/FulfillmentLineItem/10", 1),
            ("gid://shopify/FulfillmentLineItem/11", 2),
        ]
    }
    lines = [
        shopify.ReturnedLine("1", 2, "SIZE_TOO_SMALL"),
    ]
    assert shopify.return_lines(lines, fulfilled) == [
        {
            "fulfillmentLineItemId": "gid://shopify/FulfillmentLineItem/10",
            "quantity": 1,
            "returnReason": "SIZE_TOO_SMALL",
            "customerNote": "",
        },
        {
            "fulfillmentLineItemId": "gid://shopify/FulfillmentLineItem/11",
            "quantity": 1,
            "returnReason": "SIZE_TOO_SMALL",
            "customerNote": "",
        },
    ]
    with pytest.raises(shopify.UserErrors):
        shopify.return_lines([shopify.ReturnedLine("1", 4, "DEFECTIVE")], fulfilled)
    other = shopify.return_lines([shopify.ReturnedLine("1", 1, "ARRIVED_LATE")], fulfilled)
    assert (other[0]["returnReason"], other[0]["customerNote"]) == ("OTHER", "ARRIVED_LATE")


def test_shopify_user_errors_are_failures_even_on_http_200() -> None:
    refused = {
        "data": {
            "returnClose": {
                "return": None,
                "userErrors": [
                    {"field": ["id"], "message": "Return is not open", "code": "INVALID_STATE"}
                ],
            }
        }
    }
    with pytest.raises(shopify.UserErrors) as caught:
        shopify.payload(refused, "returnClose")
    assert caught.value.codes == {"INVALID_STATE"}
    with pytest.raises(ValueError, match="Throttled"):
        shopify.payload({"errors": [{"message": "Throttled"}]}, "returnClose")


def test_zendesk_signatures_are_base64_hmac_of_timestamp_and_body() -> None:
    now = datetime(2026, 12, 2, 10, 0, 30, tzinfo=UTC)
    body = b'{"ticket_id": "1"}'
    good = zendesk.signature("secret", "2026-12-02T10:00:00Z", body)
    assert zendesk.verify("secret", "2026-12-02T10:00:00Z", good, body, now)
    assert not zendesk.verify("secret", "2026-12-02T10:00:00Z", good, body + b" ", now)
    assert not zendesk.verify("other", "2026-12-02T10:00:00Z", good, body, now)
    stale = zendesk.signature("secret", "2026-12-02T09:00:00Z", body)
    assert not zendesk.verify("secret", "2026-12-02T09:00:00Z", stale, body, now)


def test_zendesk_replies_from_a_trigger_body_and_private_notes_ignored() -> None:
    trigger = {
        "ticket_id": "8867",
        "comment": {"id": "5", "body": "届きました", "public": "true", "author": "山田"},
    }
    reply = zendesk.agent_reply(trigger)
    assert (reply.ticket_id, reply.body, reply.author) == ("8867", "届きました", "山田")
    assert zendesk.agent_reply(trigger | {"comment": {"body": "x", "public": "false"}}) is None
    illustrative_other_event = {"type": "zen:event-type:ticket.agent_assignment_changed"}
    assert zendesk.agent_reply(illustrative_other_event) is None


def test_the_expected_inbound_delivery_carries_our_rma_as_its_code() -> None:
    from returns_service.integrations.warehouse_system import ExpectedReturn

    document = logiless.inbound_delivery(
        ExpectedReturn("R-1", "#5001", [ShipmentLine("DNM-30", 1)]),
        datetime(2026, 12, 2, tzinfo=UTC),
    )
    assert document["code"] == "R-1" and document["lines"] == [
        {"article_code": "DNM-30", "quantity": 1}
    ]
