"""The requests each measured path sends, prepared before the clock starts: fresh orders
for the paths that change them, customer tokens, a signed-in staff cookie, signed Shopify
deliveries."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import os
import re
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import create_engine
from werkzeug.security import generate_password_hash

from bench.seed import OrderBatch, reset_sequences, seed_orders, seed_returns
from bench.wrk import Request
from returns_service import create_app
from returns_service.auth.models import Role, StaffUser
from returns_service.auth.tokens import create_token
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.portal import tokens as portal_tokens

SECRET_KEY = "bench-secret"
SHOPIFY_SECRET = "bench-shopify-secret"
STAFF_EMAIL = "bench@example.jp"
STAFF_PASSWORD = "bench password, not a real one"
SHARED_FIXTURES = Path(
    os.environ.get(
        "RETURNS_SHARED_FIXTURES", Path(__file__).resolve().parents[2] / "shared" / "fixtures"
    )
)
SHOPIFY_FIXTURE = SHARED_FIXTURES / "shopify_python_api__order_authorized_with_fulfillment.json"
JSON = {"Content-Type": "application/json"}
#: Distinct requests of a read path; they are sent again and again.
READ_VARIETY = 50
#: Returns waiting for their parcel, besides the 30 waiting for a person: the open cases the
#: work list ranks. Fixed, so that every run lists as many (about what a run's filing left
#: open in earlier rounds, when the staff pages were measured after it).
OPEN_CASES = 1000


class Shop:
    """The seeded shop: which orders each path may use, and the credentials to use them."""

    def __init__(self, database_url: str, redis_url: str, per_path: int) -> None:
        self.per_path = per_path
        self.filing = OrderBatch(1, per_path, payment_provider="stripe")
        self.cancelling = OrderBatch(self.filing.first + per_path, per_path, delivered=False)
        self.reading = OrderBatch(self.cancelling.first + per_path, 200 + OPEN_CASES)
        self.app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": database_url,
                "REDIS_URL": redis_url,
                "SECRET_KEY": SECRET_KEY,
                "LOG_LEVEL": "WARNING",
            }
        )
        self.integration = ""
        self.admin = ""

    def seed(self) -> None:
        """Orders for every path, past returns (some open), a staff member, tokens."""
        now = utcnow()
        engine = create_engine(self.app.config["SQLALCHEMY_DATABASE_URI"])
        connection = engine.raw_connection()
        try:
            raw = connection.driver_connection
            for batch in (self.filing, self.cancelling, self.reading):
                seed_orders(raw, batch, now - timedelta(days=1), days=20)
            seed_returns(raw, self.reading, now, in_review=30, awaiting_parcel=OPEN_CASES)
            reset_sequences(raw)
            raw.commit()
        finally:
            connection.close()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as autocommit:
            autocommit.exec_driver_sql("ANALYZE")
        engine.dispose()
        with self.app.app_context():
            session = db.session
            session.add(
                StaffUser(
                    email=STAFF_EMAIL,
                    role=Role.ADMIN,
                    locale="ja",
                    password_hash=generate_password_hash(STAFF_PASSWORD),
                )
            )
            _, self.integration = create_token(session, "bench-shop", Role.INTEGRATION, now)
            _, self.admin = create_token(session, "bench-admin", Role.ADMIN, now)
            session.commit()

    def customer_token(self, order_id: int) -> str:
        """The token the portal would hand the customer of this order."""
        with self.app.app_context():
            return portal_tokens.issue(order_id)

    def prepare(self, base_url: str, partner_url: str) -> None:
        """Through the running service: subscribe the loopback receiver to our webhooks, sign
        the staff member in, and file one return for the staff return page."""
        response = requests.post(
            base_url + "/api/v1/webhooks/endpoints",
            json={
                "url": partner_url + "/hooks",
                "events": ["return.created", "return.approved", "refund.issued"],
            },
            headers={"Authorization": f"Bearer {self.admin}"},
            timeout=30,
        )
        response.raise_for_status()
        browser = requests.Session()
        form = browser.get(base_url + "/staff/login", timeout=30).text
        csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
        signed_in = browser.post(
            base_url + "/staff/login",
            data={"csrf": csrf, "email": STAFF_EMAIL, "password": STAFF_PASSWORD},
            allow_redirects=False,
            timeout=30,
        )
        if signed_in.status_code != 302:
            raise RuntimeError(f"staff sign-in failed: {signed_in.status_code}")
        # A first page, as a browser opens after signing in: the cookie it sets (the forms'
        # token) is kept, as a browser keeps it, rather than set again on every request.
        browser.get(base_url + "/staff/", timeout=30).raise_for_status()
        self.cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
        order_id = self.reading.first
        filed = requests.post(
            base_url + "/api/v1/returns",
            json=_return_body(self.reading.line_ids(order_id)[2]),
            headers={"Authorization": f"Bearer {self.customer_token(order_id)}"},
            timeout=30,
        )
        filed.raise_for_status()
        self.rma = filed.json()["rma"]

    # The request lists, one per path.

    def bare_inserts(self) -> list[Request]:
        """The yardstick's small JSON bodies."""
        return [
            Request("POST", "/items", JSON, json.dumps({"sku": f"SKU-{n}", "quantity": 1}))
            for n in range(READ_VARIETY)
        ]

    def file_returns(self) -> list[Request]:
        """One return per fresh order, by its customer: the first line (kept and refunded at
        once) on odd orders, the second (sent back by parcel) on even ones."""
        return [
            Request(
                "POST",
                "/api/v1/returns",
                JSON | {"Authorization": f"Bearer {self.customer_token(n)}"},
                json.dumps(_return_body(self.filing.line_ids(n)[n % 2])),
            )
            for n in self.filing.order_ids()
        ]

    def put_orders(self) -> list[Request]:
        """A new order of three lines each time, as the shop sends it."""
        auth = JSON | {"Authorization": f"Bearer {self.integration}"}
        return [
            Request("PUT", f"/api/v1/orders/P{n}", auth, json.dumps(_order_document(n)))
            for n in range(self.per_path)
        ]

    def read_orders(self) -> list[Request]:
        """The portal's read of an order (with past returns), by its customer."""
        return [
            Request(
                "GET",
                "/api/v1/portal/order",
                {"Authorization": f"Bearer {self.customer_token(n)}"},
            )
            for n in list(self.reading.order_ids())[:READ_VARIETY]
        ]

    def cancel_orders(self) -> list[Request]:
        """A customer cancels a whole order the warehouse has not started on."""
        return [
            Request(
                "POST",
                "/api/v1/cancellations",
                JSON | {"Authorization": f"Bearer {self.customer_token(n)}"},
                json.dumps({"reason": "CHANGED_MIND"}),
            )
            for n in self.cancelling.order_ids()
        ]

    def staff_return_page(self) -> list[Request]:
        """A signed-in staff member opens a return."""
        return [Request("GET", f"/staff/returns/{self.rma}", {"Cookie": self.cookie})]

    def staff_queue_page(self) -> list[Request]:
        """A signed-in staff member opens the work list."""
        return [Request("GET", "/staff/", {"Cookie": self.cookie})]

    def shopify_webhooks(self) -> list[Request] | None:
        """A new ``orders/create`` delivery each time, signed; None without the fixture."""
        if not SHOPIFY_FIXTURE.exists():
            return None
        template = json.loads(SHOPIFY_FIXTURE.read_text(encoding="utf-8"))["order"]
        found = []
        for n in range(self.per_path):
            order = copy.deepcopy(template)
            order["id"] = 9_000_000_000 + n
            order["order_number"] = 900_000 + n
            order["name"] = f"#S{n}"
            order["email"] = f"shopify{n}@example.com"
            # Each delivery from another customer, as in a sale's morning.
            if isinstance(order.get("customer"), dict):
                order["customer"] = order["customer"] | {
                    "id": 8_000_000_000 + n,
                    "email": order["email"],
                }
            body = json.dumps(order)
            digest = hmac.new(SHOPIFY_SECRET.encode(), body.encode(), hashlib.sha256).digest()
            headers = JSON | {
                "X-Shopify-Topic": "orders/create",
                "X-Shopify-Hmac-Sha256": base64.b64encode(digest).decode(),
                "X-Shopify-Webhook-Id": str(uuid.uuid4()),
            }
            found.append(Request("POST", "/webhooks/shopify", headers, body))
        return found


def _return_body(line_id: int) -> dict[str, Any]:
    return {
        "lines": [{"line_id": line_id, "quantity": 1, "reason": "SIZE_TOO_SMALL"}],
        "resolution": "refund",
        "method": {"type": "dropoff"},
    }


def _order_document(n: int) -> dict[str, Any]:
    now = utcnow()
    lines = [
        {
            "external_id": f"L{i}",
            "sku": f"TS-{i}{n % 100:02d}",
            "title": "コットンシャツ",
            "quantity": 1,
            "unit_price": {"amount": 3900, "currency": "JPY"},
            "product_type": "apparel",
        }
        for i in range(1, 4)
    ]
    return {
        "number": f"#P{n}",
        "placed_at": (now - timedelta(days=2)).isoformat(),
        "currency": "JPY",
        "fulfillment_status": "unfulfilled",
        "payment": {"provider": "sandbox", "reference": f"pay_P{n}"},
        "customer": {"email": f"p{n}@example.jp", "name": "佐藤 花子", "locale": "ja"},
        "shipping_address": {
            "name": "佐藤 花子",
            "country": "JP",
            "postal_code": "150-0001",
            "province": "東京都",
            "city": "渋谷区",
            "address1": "神宮前1-2-3",
        },
        "total": {"amount": 3 * 3900, "currency": "JPY"},
        "lines": lines,
        "shipments": [],
    }
