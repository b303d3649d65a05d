"""Driving the customer pages with a test client: open an order, read the forms' tokens."""

from __future__ import annotations

import re

from flask.testing import FlaskClient


def csrf(page: str) -> str:
    """The form token of a page."""
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def submission(page: str) -> str:
    """The return form's one-time submission id."""
    return re.search(r'name="submission"[^>]*value="([^"]+)"', page).group(1)


def open_order(
    client: FlaskClient, number: str = "#5001", contact: str = "hanako@example.jp"
) -> str:
    """Open an order as its customer; the order page's HTML."""
    start = client.get("/").get_data(as_text=True)
    response = client.post(
        "/", data={"csrf": csrf(start), "order_number": number, "contact": contact}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return client.get(response.headers["Location"]).get_data(as_text=True)
