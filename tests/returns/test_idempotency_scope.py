"""An Idempotency-Key belongs to its caller and its endpoint: reused for another request, 422."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from returns_service.auth.models import Role
from returns_service.returns.models import ReturnRequest
from tests.shop import Shop


def _staff_return(shop: Shop, headers: dict[str, str], order: dict, key: str):
    body = {
        "order_number": order["number"],
        "lines": [{"line_id": shop.line_id(order, "L1"), "quantity": 1, "reason": "STYLE"}],
        "resolution": "refund",
        "method": {"type": "dropoff"},
    }
    return shop.client.post(
        "/api/v1/returns", json=body, headers=headers | {"Idempotency-Key": key}
    )


def test_a_staff_key_reused_on_another_order_is_refused_not_run_again(
    shop: Shop, session: Session, token_for: Callable[[Role], dict[str, str]]
) -> None:
    first = shop.put_order()
    second = shop.put_order("5002", number="#5002")

    assert _staff_return(shop, shop.agent, first, "k-1").status_code == 201
    reused = _staff_return(shop, shop.agent, second, "k-1")

    assert reused.status_code == 422, reused.json
    assert "Idempotency-Key" in reused.json["errors"]["json"]
    assert session.scalar(select(func.count()).select_from(ReturnRequest)) == 1
    # Another caller's key of the same name is another key.
    other_agent = token_for(Role.AGENT)
    assert _staff_return(shop, other_agent, second, "k-1").status_code == 201


def test_customers_of_different_orders_never_share_keys(shop: Shop, session: Session) -> None:
    first = shop.put_order()
    second = shop.put_order("5002", number="#5002", email_address="ken@example.jp")
    for order, email in ((first, "hanako@example.jp"), (second, "ken@example.jp")):
        customer = shop.customer(order["number"], email)
        line = {"line_id": shop.line_id(order, "L1"), "quantity": 1, "reason": "STYLE"}
        assert shop.file(customer, [line], key="same").status_code == 201
    assert session.scalar(select(func.count()).select_from(ReturnRequest)) == 2
