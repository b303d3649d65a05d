"""End to end: a subscriber who wants to stop is offered something by reason, and every
outcome reaches the subscription system (signed webhook), the customer (e-mail) and the
save-rate numbers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from pytest_httpserver import HTTPServer
from sqlalchemy.orm import Session

from returns_service.auth.models import Role
from returns_service.models import utcnow
from returns_service.subscriptions.schedule import add_months, interval_days, next_delivery
from tests.cancellations.partners import WebhookReceiver
from tests.shop import COFFEE, Inbox, Shop

REFERENCE = "SUB-2001"
SUBSCRIPTION_EVENTS = [
    "subscription.skipped",
    "subscription.paused",
    "subscription.switched",
    "subscription.discounted",
    "subscription.cancelled",
]


class Subscriptions:
    """Drives the subscription cancellation flow through the API."""

    def __init__(self, shop: Shop) -> None:
        self.shop = shop
        self.client: FlaskClient = shop.client

    def put_orders(
        self, reference: str = REFERENCE, email: str = "hanako@example.jp", locale: str = "ja"
    ) -> dict[str, Any]:
        """Two monthly orders of the subscription; returns the newer one."""
        return self.shop.put_subscription_orders(reference, email, locale)

    def customer(self, order: dict[str, Any]) -> dict[str, str]:
        return self.shop.customer(order["number"], order["customer"]["email"])

    def start(self, headers: dict[str, str], reason: str, **extra: Any) -> Any:
        return self.client.post(
            f"/api/v1/subscriptions/{REFERENCE}/cancellation",
            json={"reason": reason, **extra},
            headers=headers,
        )

    def accept(self, headers: dict[str, str], **body: Any) -> Any:
        return self.client.post(
            f"/api/v1/subscriptions/{REFERENCE}/cancellation/accept", json=body, headers=headers
        )

    def confirm(self, headers: dict[str, str]) -> Any:
        return self.client.post(
            f"/api/v1/subscriptions/{REFERENCE}/cancellation/confirm", json={}, headers=headers
        )


@pytest.fixture
def subscriptions(shop: Shop) -> Subscriptions:
    """The subscription flow driver."""
    return Subscriptions(shop)


@pytest.fixture
def subscription_system(httpserver: HTTPServer, session: Session) -> WebhookReceiver:
    """The subscription system, subscribed to every outcome."""
    return WebhookReceiver.register(
        httpserver, session, "/subscriptions/events", "subscription-secret", SUBSCRIPTION_EVENTS
    )


def _next_delivery() -> date:
    # The orders came 40 and 10 days ago: every 30 days, next in 20 days (shop time zone).
    return next_delivery([utcnow() - timedelta(days=10)], 30, utcnow(), "Asia/Tokyo")


def test_too_much_coffee_is_met_with_a_pause_which_the_subscription_system_is_told(
    shop: Shop,
    subscriptions: Subscriptions,
    subscription_system: WebhookReceiver,
    inbox: Inbox,
) -> None:
    customer = subscriptions.customer(subscriptions.put_orders())

    started = subscriptions.start(customer, "too_much_product")

    assert started.status_code == 201, started.json
    flow = started.json
    assert flow["status"] == "offered"
    assert flow["subscription_name"] == COFFEE
    assert [(o["id"], o["type"], o["title"]) for o in flow["offers"]] == [
        ("skip_next", "skip", "次回のお届けをスキップする"),
        ("pause", "pause", "お届けを1〜3か月お休みする"),
    ]
    assert flow["next_delivery"] == _next_delivery().isoformat()

    too_long = subscriptions.accept(customer, offer_id="pause", months=5)
    assert too_long.status_code == 422
    assert "months" in too_long.json["errors"]["json"]
    accepted = subscriptions.accept(customer, offer_id="pause", months=2)

    assert accepted.status_code == 200, accepted.json
    resume = add_months(_next_delivery(), 2)
    assert accepted.json["status"] == "saved"
    assert accepted.json["outcome"] == {
        "action": "paused",
        "months": 2,
        "resume_date": resume.isoformat(),
    }
    assert [e["kind"] for e in accepted.json["timeline"]] == [
        "subscription.cancellation_started",
        "subscription.paused",
    ]
    assert subscriptions.confirm(customer).status_code == 409
    shop.run_jobs()
    assert subscription_system.events() == ["subscription.paused"]
    told = subscription_system.deliveries[0]
    assert told.signed
    assert told.data | {"flow_id": 0} == {
        "flow_id": 0,
        "subscription_reference": REFERENCE,
        "order_external_id": f"{REFERENCE}-2",
        "customer_email": "hanako@example.jp",
        "reason": "too_much_product",
        "comment": "",
        "offer_id": "pause",
        "action": "paused",
        "months": 2,
        "resume_date": resume.isoformat(),
    }
    assert inbox.subjects() == [f"定期便のお届けを一時停止しました（{COFFEE}）"]


@pytest.mark.parametrize(
    ("reason", "accept", "event", "subject", "outcome"),
    [
        (
            "too_much_product",
            {"offer_id": "skip_next"},
            "subscription.skipped",
            f"Your next delivery is skipped ({COFFEE})",
            lambda nd: {
                "skipped_date": nd.isoformat(),
                "next_date": (nd + timedelta(days=30)).isoformat(),
            },
        ),
        (
            "does_not_suit",
            {"offer_id": "switch", "product": {"sku": "DECAF-SUB", "name": "Decaf beans"}},
            "subscription.switched",
            "Your subscription has been switched to Decaf beans",
            lambda nd: {
                "product": {"sku": "DECAF-SUB", "name": "Decaf beans"},
                "next_date": nd.isoformat(),
            },
        ),
        (
            "too_expensive",
            {"offer_id": "discount_next"},
            "subscription.discounted",
            f"20% off your subscription ({COFFEE})",
            lambda nd: {"percent": 20, "deliveries": 1, "next_date": nd.isoformat()},
        ),
    ],
)
def test_each_offer_saves_the_subscription_in_english_too(
    shop: Shop,
    subscriptions: Subscriptions,
    subscription_system: WebhookReceiver,
    inbox: Inbox,
    reason: str,
    accept: dict[str, Any],
    event: str,
    subject: str,
    outcome: Callable[[date], dict[str, Any]],
) -> None:
    customer = subscriptions.customer(
        subscriptions.put_orders(email="emily@example.com", locale="en")
    )
    assert subscriptions.start(customer, reason).status_code == 201

    accepted = subscriptions.accept(customer, **accept)

    assert accepted.status_code == 200, accepted.json
    expected = {"action": event.split(".")[1], **outcome(_next_delivery())}
    assert accepted.json["outcome"] == expected
    shop.run_jobs()
    assert subscription_system.events() == [event]
    assert inbox.subjects() == [subject]


def test_moving_has_no_offer_and_the_confirmed_cancellation_is_sent_and_e_mailed(
    shop: Shop,
    subscriptions: Subscriptions,
    subscription_system: WebhookReceiver,
    inbox: Inbox,
) -> None:
    customer = subscriptions.customer(subscriptions.put_orders())

    started = subscriptions.start(customer, "moving", comment="海外に引っ越します")
    assert started.json["offers"] == []
    assert started.json["message"] == "内容をご確認のうえ、解約を確定してください。"
    nothing = subscriptions.accept(customer, offer_id="skip_next")
    assert nothing.status_code == 422 and "offer_id" in nothing.json["errors"]["json"]
    confirmed = subscriptions.confirm(customer)

    assert confirmed.status_code == 200, confirmed.json
    assert confirmed.json["status"] == "cancelled"
    assert confirmed.json["outcome"] == {"action": "cancelled"}
    assert subscriptions.confirm(customer).status_code == 409
    shop.run_jobs()
    assert subscription_system.events() == ["subscription.cancelled"]
    assert subscription_system.deliveries[0].data["comment"] == "海外に引っ越します"
    assert inbox.subjects() == [f"定期便の解約を承りました（{COFFEE}）"]


def test_a_flow_is_started_once_per_key_and_a_new_reason_supersedes_the_open_one(
    shop: Shop, subscriptions: Subscriptions
) -> None:
    customer = subscriptions.customer(subscriptions.put_orders())
    headers = customer | {"Idempotency-Key": "sub-1"}
    first = subscriptions.start(headers, "too_expensive")
    again = subscriptions.start(headers, "too_expensive")
    assert again.status_code == 201 and again.json == first.json

    other = subscriptions.start(customer, "does_not_suit")
    current = shop.client.get(f"/api/v1/subscriptions/{REFERENCE}/cancellation", headers=customer)

    assert current.json["id"] == other.json["id"] != first.json["id"]
    assert current.json["reason"] == "does_not_suit"
    switch = subscriptions.accept(customer, offer_id="switch")
    assert switch.status_code == 422 and "product.sku" in switch.json["errors"]["json"]


def test_a_key_reused_for_another_flow_is_refused(shop: Shop, subscriptions: Subscriptions) -> None:
    customer = subscriptions.customer(subscriptions.put_orders())
    subscriptions.put_orders("SUB-3001", email="ken@example.jp")
    keyed = customer | {"Idempotency-Key": "sub-1"}
    assert subscriptions.start(keyed, "too_expensive").status_code == 201
    other_body = subscriptions.start(keyed, "does_not_suit")
    assert other_body.status_code == 422
    assert "Idempotency-Key" in other_body.json["errors"]["json"]

    staff = shop.agent | {"Idempotency-Key": "staff-1"}
    assert subscriptions.start(staff, "moving").status_code == 201
    other_subscription = shop.client.post(
        "/api/v1/subscriptions/SUB-3001/cancellation", json={"reason": "moving"}, headers=staff
    )
    assert other_subscription.status_code == 422


def test_only_the_subscriptions_own_customer_and_staff_reach_it(
    shop: Shop, subscriptions: Subscriptions
) -> None:
    subscriptions.put_orders()
    shop.put_order("9001", number="#9001", email_address="ken@example.jp")
    stranger = shop.customer("#9001", "ken@example.jp")

    assert subscriptions.start(stranger, "moving").status_code == 404
    assert subscriptions.start({}, "moving").status_code == 401
    by_staff = subscriptions.start(shop.agent, "moving")
    assert by_staff.status_code == 201, by_staff.json
    unknown = shop.client.post(
        "/api/v1/subscriptions/SUB-NONE/cancellation", json={"reason": "moving"}, headers=shop.agent
    )
    assert unknown.status_code == 404
    bad = subscriptions.start(shop.agent, "bored")
    assert bad.status_code == 422 and "reason" in bad.json["errors"]["json"]


def test_admins_replace_the_offers_of_a_reason_and_go_back_to_the_defaults(
    shop: Shop, subscriptions: Subscriptions, token_for: Any
) -> None:
    admin = token_for(Role.ADMIN)
    customer = subscriptions.customer(subscriptions.put_orders())
    defaults = shop.client.get("/api/v1/subscriptions/offers", headers=shop.agent)
    assert defaults.status_code == 200
    assert {r["reason"]: r["customised"] for r in defaults.json} == {
        "too_much_product": False,
        "does_not_suit": False,
        "too_expensive": False,
        "moving": False,
        "other": False,
    }
    offers = [
        {"id": "half_price", "type": "discount", "percent": 50, "deliveries": 2},
        {
            "id": "lighter_roast",
            "type": "switch",
            "products": [{"sku": "LIGHT-SUB", "name": "浅煎りブレンド"}],
            "label": {"ja": "浅煎りに変える", "en": "Try a lighter roast"},
        },
    ]
    path = "/api/v1/subscriptions/offers/too_expensive"
    assert shop.client.put(path, json={"offers": offers}, headers=shop.agent).status_code == 403
    bad = shop.client.put(path, json={"offers": [{"id": "x", "type": "discount"}]}, headers=admin)
    assert bad.status_code == 422
    assert "percent" in str(bad.json["errors"]["json"]["offers"])
    wrong = shop.client.put(
        path, json={"offers": [{"id": "x", "type": "skip", "months": [1]}]}, headers=admin
    )
    assert wrong.status_code == 422
    replaced = shop.client.put(path, json={"offers": offers}, headers=admin)
    assert replaced.status_code == 200, replaced.json
    assert replaced.json["customised"] is True

    flow = subscriptions.start(customer, "too_expensive").json
    assert [(o["id"], o["title"]) for o in flow["offers"]] == [
        ("half_price", "次回から2回のお届けを50%オフにする"),
        ("lighter_roast", "浅煎りに変える"),
    ]
    elsewhere = subscriptions.accept(
        customer, offer_id="lighter_roast", product={"sku": "DARK-SUB"}
    )
    assert elsewhere.status_code == 422
    taken = subscriptions.accept(customer, offer_id="lighter_roast", product={"sku": "LIGHT-SUB"})
    assert taken.json["outcome"]["product"] == {"sku": "LIGHT-SUB", "name": "浅煎りブレンド"}

    reset = shop.client.delete(path, headers=admin)
    assert reset.json["customised"] is False
    assert reset.json["offers"][0]["id"] == "discount_next"
    assert (
        shop.client.put(
            "/api/v1/subscriptions/offers/bored", json={"offers": []}, headers=admin
        ).status_code
        == 404
    )


def test_the_save_rate_per_reason_counts_offers_accepted_over_flows_started(
    shop: Shop, subscriptions: Subscriptions, token_for: Any
) -> None:
    customer = subscriptions.customer(subscriptions.put_orders())
    subscriptions.start(customer, "too_expensive")
    subscriptions.accept(customer, offer_id="discount_next")
    subscriptions.start(customer, "too_expensive")
    subscriptions.confirm(customer)
    subscriptions.start(customer, "too_much_product")  # superseded by the next
    subscriptions.start(customer, "moving")

    rates = shop.client.get("/api/v1/subscriptions/save-rate", headers=shop.agent)

    assert rates.status_code == 200, rates.json
    by_reason = {row["reason"]: row for row in rates.json["reasons"]}
    assert by_reason["too_expensive"] == {
        "reason": "too_expensive",
        "started": 2,
        "saved": 1,
        "cancelled": 1,
        "open": 0,
        "superseded": 0,
        "save_rate": 0.5,
    }
    assert by_reason["too_much_product"]["superseded"] == 1
    assert by_reason["too_much_product"]["started"] == 0
    assert by_reason["too_much_product"]["save_rate"] is None
    assert by_reason["moving"]["open"] == 1
    assert rates.json["total"]["started"] == 3
    assert rates.json["total"]["save_rate"] == round(1 / 3, 4)
    later = (utcnow() + timedelta(days=1)).isoformat()
    empty = shop.client.get(
        "/api/v1/subscriptions/save-rate", query_string={"since": later}, headers=shop.agent
    )
    assert empty.json["total"]["started"] == 0
    assert shop.client.get("/api/v1/subscriptions/save-rate", headers=customer).status_code == 403
    assert (
        shop.client.get(
            "/api/v1/subscriptions/save-rate",
            query_string={"since": "yesterday"},
            headers=shop.agent,
        ).status_code
        == 422
    )


def test_the_schedule_reads_the_interval_from_the_orders() -> None:
    now = utcnow()
    placed = [now - timedelta(days=days) for days in (70, 42, 14)]
    assert interval_days(placed, 30) == 28
    assert interval_days(placed[-1:], 30) == 30
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)
