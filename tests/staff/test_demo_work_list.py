"""The demo shop greets each staff member with a case of every kind waiting."""

from __future__ import annotations

import re

from flask import Flask

from returns_service.demo_data import DEMO_PASSWORD, STAFF, seed_demo_shop
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.shop import shop_settings
from tests.shop import sign_in


def test_the_demo_work_list_holds_every_kind_of_case(app: Flask) -> None:
    with app.app_context():
        seed_demo_shop(db.session, utcnow(), shop_settings(app))
        db.session.commit()
    agent = next(email for email, role, _ in STAFF if role == "agent")
    client = sign_in(app.test_client(), agent, DEMO_PASSWORD)

    page = client.get("/staff/?lang=en").get_data(as_text=True)

    kinds = set(re.findall(r'data-kind="(\w+)"', page))
    assert kinds == {"return", "exchange", "order_cancellation", "subscription_cancellation"}
    assert "Being reviewed" in page  # a return waits for a person's decision
    assert "Waiting for the warehouse to stop it" in page
