"""Fixtures for tests that drive the service through its API: a shop with delivered orders,
a customer session, a real SMTP server on loopback, and running the worker."""

from __future__ import annotations

import email
import json
import re
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash
from werkzeug.test import TestResponse

from carriers.sandbox import SIGNATURE_HEADER, scan_body, sign_scan
from carriers.status import TrackingStatus
from returns_service.auth.models import Role, StaffUser
from returns_service.config import Settings
from returns_service.models import utcnow
from returns_service.notifications.smtp import close_kept_connection
from returns_service.orders import documents
from returns_service.rulesets.operations import active_version
from returns_service.shop import ShopSettings
from returns_service.worker import work_burst
from rules.facts import Scope

#: When simulated carrier scans happen, unless a test says otherwise.
SCAN_TIME = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
#: Reasons the default rules collect with a pickup; the others are dropped off.
#: The test app's settings as it reads them from the environment: they date the promises of
#: the cases tests write or backdate straight in the database.
TEST_SHOP = ShopSettings.from_config(Settings.from_environ().as_config())
COLLECTED_REASONS = frozenset({"DEFECTIVE", "WRONG_ITEM", "NOT_AS_DESCRIBED"})


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.original_content))
        return "250 OK"

    def subjects(self, to: str | None = None) -> list[str]:
        """Decoded subjects, oldest first, optionally only those sent to ``to``."""
        found = []
        for message in self.messages:
            if to is None or to in message["To"]:
                header = email.header.make_header(email.header.decode_header(message["Subject"]))
                found.append(str(header))
        return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox(app: Flask) -> Iterator[Inbox]:
    """A real SMTP server on loopback that the app sends through for this test."""
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    saved = {key: app.config[key] for key in ("SMTP_HOST", "SMTP_PORT")}
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port)
    try:
        yield handler
    finally:
        app.config.update(saved)
        close_kept_connection()
        controller.stop()


#: The product of the subscription orders.
COFFEE = "スペシャルティコーヒー定期便"


def order_document(
    *,
    number: str = "#5001",
    email_address: str = "hanako@example.jp",
    locale: str = "ja",
    currency: str = "JPY",
    delivered_days_ago: int | None = 3,
    lines: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A paid order whose lines were all delivered ``delivered_days_ago`` days ago."""
    now = utcnow()
    lines = lines or [
        documents.order_line(
            "L1", "DNM-30", "セルビッジデニム 30", 12800, currency, product_type="apparel"
        ),
        documents.order_line(
            "L2", "MUG", "波佐見焼マグ", 1100, currency, quantity=2, product_type="homeware"
        ),
        documents.order_line("L3", "SCARF", "ウールマフラー", 2900, currency, final_sale=True),
        documents.order_line("L4", "KETTLE", "銅のやかん", 128000, currency),
    ]
    shipments = []
    if delivered_days_ago is not None:
        shipments.append(
            documents.shipment(
                "S1",
                lines,
                status="delivered",
                carrier="yamato",
                tracking_number="400011112222",
                shipped_at=now - timedelta(days=delivered_days_ago + 2),
                delivered_at=now - timedelta(days=delivered_days_ago),
            )
        )
    return documents.order(
        number,
        currency=currency,
        placed_at=now - timedelta(days=(delivered_days_ago or 0) + 4),
        customer={"email": email_address, "name": "佐藤 花子", "locale": locale},
        address=documents.TOKYO_ADDRESS,
        lines=lines,
        shipments=shipments,
        payment={"provider": "sandbox", "reference": f"pay_{number.lstrip('#')}"},
    )


def product_document(
    variants: list[tuple[str, str, int, int | None]] | None = None,
    *,
    title: str = "セルビッジデニム",
    option: str = "ウエスト",
    currency: str = "JPY",
) -> dict[str, Any]:
    """A product whose variants differ in one option: (sku, option value, price, stock)."""
    variants = variants or [
        ("DNM-30", "30", 12800, 5),
        ("DNM-32", "32", 12800, 3),
        ("DNM-34", "34", 12800, 0),
    ]
    return {
        "title": title,
        "product_type": "apparel",
        "options": [option],
        "variants": [
            {
                "external_id": f"V-{sku}",
                "sku": sku,
                "title": value,
                "options": [{"name": option, "value": value}],
                "price": {"amount": price, "currency": currency},
                "inventory_item_id": f"I-{sku}",
                "stock": stock,
            }
            for sku, value, price, stock in variants
        ],
    }


def publish_default_rules(session: Session) -> None:
    """Publish the shipped rule sets now, so that no request of a race waits on publishing."""
    for scope in Scope:
        active_version(session, utcnow(), scope)
    session.commit()


def pickup_method(days_ahead: int = 2) -> dict[str, str]:
    """A pickup on a date a few days ahead, as a customer chooses it."""
    return {"type": "pickup", "date": (utcnow() + timedelta(days=days_ahead)).date().isoformat()}


def _way_back(lines: list[dict[str, Any]]) -> dict[str, str]:
    """The way back the default rules require for these lines' reasons."""
    if any(line.get("reason") in COLLECTED_REASONS for line in lines):
        return pickup_method()
    return {"type": "dropoff"}


class Shop:
    """Drives the service through its HTTP API as the shop, the customer and the staff."""

    def __init__(
        self, app: Flask, client: FlaskClient, token_for: Callable[[Role], dict[str, str]]
    ) -> None:
        self.app = app
        self.client = client
        self.integration = token_for(Role.INTEGRATION)
        self.agent = token_for(Role.AGENT)
        self.warehouse = token_for(Role.WAREHOUSE)

    def put_order(self, external_id: str = "5001", **kwargs: Any) -> dict[str, Any]:
        response = self.client.put(
            f"/api/v1/orders/{external_id}", json=order_document(**kwargs), headers=self.integration
        )
        assert response.status_code in (200, 201), response.json
        return response.json

    def put_subscription_orders(
        self, reference: str, email: str = "hanako@example.jp", locale: str = "ja"
    ) -> dict[str, Any]:
        """Two monthly coffee orders of one subscription, 40 and 10 days ago; the newer one."""
        latest: dict[str, Any] = {}
        for number, days_ago in ((1, 40), (2, 10)):
            coffee = documents.order_line("L1", "COFFEE-SUB", COFFEE, 3600, "JPY")
            document = order_document(
                number=f"#{reference}-{number}",
                email_address=email,
                locale=locale,
                delivered_days_ago=days_ago - 5,
                lines=[coffee],
            )
            document |= {
                "placed_at": (utcnow() - timedelta(days=days_ago)).isoformat(),
                "subscription_reference": reference,
            }
            response = self.client.put(
                f"/api/v1/orders/{reference}-{number}", json=document, headers=self.integration
            )
            assert response.status_code == 201, response.json
            latest = response.json
        return latest

    def put_product(
        self, external_id: str = "P-DNM", document: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        response = self.client.put(
            f"/api/v1/products/{external_id}",
            json=document or product_document(),
            headers=self.integration,
        )
        assert response.status_code in (200, 201), response.json
        return response.json

    def variant_id(self, product: dict[str, Any], sku: str) -> int:
        return next(v["id"] for v in product["variants"] if v["sku"] == sku)

    def customer(
        self, number: str = "#5001", email_address: str = "hanako@example.jp"
    ) -> dict[str, str]:
        response = self.client.post(
            "/api/v1/portal/session", json={"order_number": number, "email": email_address}
        )
        assert response.status_code == 201, response.json
        return {"Authorization": f"Bearer {response.json['token']}"}

    def line_id(self, order: dict[str, Any], external_id: str) -> int:
        return next(line["id"] for line in order["lines"] if line["external_id"] == external_id)

    def file(
        self,
        headers: dict[str, str],
        lines: list[dict[str, Any]],
        resolution: str = "refund",
        method: dict[str, Any] | None = None,
        key: str | None = None,
    ) -> Any:
        body = {"lines": lines, "resolution": resolution, "method": method or _way_back(lines)}
        extra = {"Idempotency-Key": key} if key else {}
        return self.client.post("/api/v1/returns", json=body, headers=headers | extra)

    def get(self, rma: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
        response = self.client.get(f"/api/v1/returns/{rma}", headers=headers or self.agent)
        assert response.status_code == 200, response.json
        return response.json

    def publish_rules(self, document: dict[str, Any], admin: dict[str, str]) -> dict[str, Any]:
        """Publish a rule set document as an admin; the version in force afterwards."""
        draft = self.client.post("/api/v1/rules/drafts", json={"document": document}, headers=admin)
        assert draft.status_code == 201, draft.json
        published = self.client.post(
            f"/api/v1/rules/drafts/{draft.json['id']}/publish", headers=admin
        )
        assert published.status_code == 200, published.json
        return published.json

    def run_jobs(self) -> None:
        work_burst(self.app)

    def carrier_scan(
        self,
        tracking_number: str,
        status: TrackingStatus,
        occurred_at: datetime = SCAN_TIME,
        secret: str | None = None,
    ) -> TestResponse:
        """A tracking push from the sandbox carrier, signed with the test secret."""
        body = scan_body(tracking_number, status, occurred_at)
        signature = sign_scan(secret or self.app.config["SANDBOX_CARRIER_SECRET"], body)
        return self.client.post(
            "/webhooks/carriers/sandbox",
            data=body,
            content_type="application/json",
            headers={SIGNATURE_HEADER: signature},
        )


@pytest.fixture
def shop(app: Flask, client: FlaskClient, token_for: Callable[[Role], dict[str, str]]) -> Shop:
    """The API driver."""
    return Shop(app, client, token_for)


class Subscriber:
    """A system subscribed to our outbound webhooks: a loopback HTTP server that records them."""

    def __init__(self, shop: Shop, httpserver: Any, admin: dict[str, str]) -> None:
        self.shop = shop
        self.httpserver = httpserver
        self.admin = admin
        self.deliveries: list[tuple[str, bytes, str]] = []
        self.secret = ""

    def subscribe(self, *events: str, path: str = "/hooks") -> None:
        """Register the server for ``events`` and record every delivery it gets."""

        def record(request: Any) -> Any:
            from werkzeug import Response

            self.deliveries.append(
                (
                    request.headers["X-Returns-Event"],
                    request.get_data(),
                    request.headers["X-Returns-Signature"],
                )
            )
            return Response("ok")

        self.httpserver.expect_request(path, method="POST").respond_with_handler(record)
        created = self.shop.client.post(
            "/api/v1/webhooks/endpoints",
            headers=self.admin,
            json={"url": self.httpserver.url_for(path), "events": list(events)},
        )
        assert created.status_code == 201, created.json
        self.secret = created.json["secret"]

    def events(self) -> list[str]:
        """The events received, in order."""
        return [event for event, _, _ in self.deliveries]

    def data(self, event: str) -> dict[str, Any]:
        """The ``data`` of the first delivery of ``event``, after checking its signature."""
        from returns_service.notifications.webhooks import verify

        body, signature = next((b, s) for e, b, s in self.deliveries if e == event)
        assert verify(self.secret, signature, body), f"{event} is not signed with our secret"
        return json.loads(body)["data"]


@pytest.fixture
def subscriber(
    shop: Shop, httpserver: Any, token_for: Callable[[Role], dict[str, str]]
) -> Subscriber:
    """A subscribed system; call ``subscribe(*events)`` first."""
    return Subscriber(shop, httpserver, token_for(Role.ADMIN))


PASSWORD = "correct horse battery staple"


def add_staff(session: Session, email: str, role: Role, locale: str = "en") -> StaffUser:
    """A staff member who signs in with PASSWORD."""
    user = StaffUser(
        email=email, role=role, locale=locale, password_hash=generate_password_hash(PASSWORD)
    )
    session.add(user)
    session.commit()
    return user


def csrf(page: str) -> str:
    """The CSRF token of a page's form."""
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> FlaskClient:
    """Sign a test client in to the staff pages."""
    form = client.get("/staff/login").get_data(as_text=True)
    response = client.post(
        "/staff/login", data={"csrf": csrf(form), "email": email, "password": password}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return client
