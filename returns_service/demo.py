"""``returns-service demo``: the whole service on its embedded defaults, in one command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

import click
from sqlalchemy import select, update
from werkzeug.serving import run_simple

from returns_service import create_app
from returns_service.auth.models import ApiToken, Role
from returns_service.auth.tokens import create_token
from returns_service.cancellations.models import Cancellation
from returns_service.catalogues import compile_catalogues
from returns_service.demo_data import DEMO_PASSWORD, STAFF, seed_demo_shop
from returns_service.extensions import db
from returns_service.migrate import upgrade
from returns_service.models import utcnow
from returns_service.orders.models import (
    Customer,
    FulfillmentStatus,
    Order,
    Shipment,
    ShipmentStatus,
)
from returns_service.shop import shop_settings

DEMO_TOKEN_NAME = "demo-admin"


def _fresh_demo_token() -> str:
    """A new admin token for this run; the previous run's is revoked."""
    now = utcnow()
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.name == DEMO_TOKEN_NAME, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    _, plain = create_token(db.session, DEMO_TOKEN_NAME, Role.ADMIN, now)
    db.session.commit()
    return plain


def _example_order() -> str:
    """An order of the demo shop that can be returned now, to try the portal with."""
    query = (
        select(Order.number, Customer.email)
        .join(Order.customer)
        .join(Order.shipments)
        .where(Shipment.status == ShipmentStatus.DELIVERED, Customer.locale == "ja")
        .order_by(Shipment.delivered_at.desc())
        .limit(1)
    )
    row = db.session.execute(query).first()
    return f"order {row.number} with {row.email}" if row else "any delivered order"


def _cancel_examples() -> list[str]:
    """Orders of the demo shop to try cancellations with: not yet picked, being packed
    (the warehouse is asked to stop it), and a subscription (its save offers)."""
    found = []
    # The work list's own demo cases are left to the staff.
    asked_to_cancel = select(Cancellation.order_id)
    for label, condition in (
        ("Try a cancellation:", Order.fulfillment_status == FulfillmentStatus.UNFULFILLED),
        (
            "A cancellation the warehouse must stop:",
            Order.fulfillment_status == FulfillmentStatus.PACKED,
        ),
        ("A subscription with save offers:", Order.is_subscription.is_(True)),
    ):
        row = db.session.execute(
            select(Order.number, Customer.email)
            .join(Order.customer)
            .where(condition, Order.cancelled_at.is_(None), ~Order.id.in_(asked_to_cancel))
            .order_by(Order.number)
            .limit(1)
        ).first()
        if row is not None:
            found.append(f"  {label} order {row.number} with {row.email}")
    return found


def _stop_on_sigterm(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt  # the same orderly stop as Ctrl-C


def run_demo(host: str, port: int) -> None:
    """Migrate, seed, start a worker, serve the web app; Ctrl-C stops everything."""
    compile_catalogues()
    app = create_app({"PUBLIC_URL": f"http://{host}:{port}"})
    with app.app_context():
        upgrade(app.config["SQLALCHEMY_DATABASE_URI"])
        seeded = seed_demo_shop(db.session, utcnow(), shop_settings(app))
        db.session.commit()
        token = _fresh_demo_token()
        example = _example_order()
        cancel_examples = _cancel_examples()
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    # The worker shares the database file and the embedded Redis this process started.
    env = dict(os.environ, RETURNS_REDIS_URL=app.config["REDIS_URL"])
    worker = subprocess.Popen([sys.executable, "-m", "returns_service", "worker"], env=env)
    base = f"http://{host}:{port}"
    click.echo(
        "\n".join(
            [
                "",
                f"Demo shop {'seeded' if seeded else 'reused'}: {app.config['SHOP_NAME']}",
                f"  Customer portal   {base}/",
                f"  Staff pages       {base}/staff/",
                f"  API (OpenAPI)     {base}/api/docs",
                f"  Sent e-mail       {base}/staff/mail",
                "  Staff logins (password: " + DEMO_PASSWORD + ")",
                *(f"    {role:<10} {email}" for email, role, _ in STAFF),
                f"  Admin API token   {token}",
                f"  Try a return:     {example}",
                *cancel_examples,
                "Press Ctrl-C to stop.",
                "",
            ]
        )
    )
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False)
    except KeyboardInterrupt:
        pass
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
        click.echo("demo stopped")
