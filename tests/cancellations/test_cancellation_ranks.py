"""A cancellation's kept ranks follow its state and its order's parcels (``cases.ranks``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.cancellations.models import Cancellation
from tests.cancellations.conftest import Cancellations
from tests.shop import Shop


def _ranks(session: Session, cancellation_id: int) -> tuple[int, int, int]:
    session.expire_all()
    c = Cancellation
    found = session.execute(
        select(c.own_rank, c.parcel_rank, c.signal_rank).where(c.id == cancellation_id)
    ).one()
    return tuple(found)


def _stop_asked(shop: Shop, cancellations: Cancellations) -> tuple[dict[str, Any], Any]:
    """A packed order, and the cancellation of one of its lines asking the warehouse."""
    order = cancellations.put_order(fulfillment_status="packed")
    line = shop.line_id(order, "L1")
    customer = cancellations.customer(order)
    return order, cancellations.cancel(customer, [{"line_id": line, "quantity": 1}])


def test_a_stop_asked_of_the_warehouse_is_high_until_it_is_answered(
    shop: Shop, cancellations: Cancellations, session: Session
) -> None:
    _, pending = _stop_asked(shop, cancellations)
    assert pending.json["status"] == "pending_stop"
    assert _ranks(session, pending.json["id"]) == (1, 2, 1)  # "status:pending_stop" is high

    assert cancellations.answer(pending.json["id"], stopped=False).status_code == 200
    assert cancellations.get(pending.json["id"])["status"] == "refused"
    assert _ranks(session, pending.json["id"]) == (2, 2, 2)


def test_a_parcel_in_trouble_ranks_a_cancellation_of_its_order(
    shop: Shop, cancellations: Cancellations, session: Session
) -> None:
    order, pending = _stop_asked(shop, cancellations)

    assert cancellations.ship("6001", order, status="exception").status_code in (200, 201)

    # Shipped before the warehouse could stop it: refused, and its parcel in trouble.
    assert cancellations.get(pending.json["id"])["status"] == "refused"
    assert _ranks(session, pending.json["id"]) == (2, 1, 1)
