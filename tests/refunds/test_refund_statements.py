"""Paying a refund sends few statements: the refund's new state goes with the flush's other
plain writes, not through the unit of work on its own."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from bench.inprocess import counted_statements
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.orders.models import Order
from returns_service.refunds.jobs import issue_refund
from returns_service.refunds.models import RefundMethod, RefundStatus
from returns_service.refunds.operations import create_refund
from returns_service.shop import shop_settings
from tests.refunds.conftest import only_refund
from tests.shop import Shop

#: The refund, locked; the sandbox's payment; the order's refunded amount; the refund's
#: state, its event and its e-mail's outbox row in one statement at the flush.
PAYING_STATEMENTS = 4


def test_paying_a_refund_writes_its_state_with_the_flush(
    app: Flask, shop: Shop, session: Session
) -> None:
    shop.put_order()
    order = session.scalars(select(Order)).one()
    refund = create_refund(
        session,
        utcnow(),
        order=order,
        amount=1000,
        method=RefundMethod.ORIGINAL_PAYMENT,
        actor="test",
    )
    session.commit()

    with app.app_context(), counted_statements(app) as sent:
        issue_refund(db.session, utcnow(), shop_settings(app), refund.id)
        db.session.commit()

    assert only_refund(session).status is RefundStatus.SUCCEEDED
    # The webhook endpoints are read once, then kept by the process for later requests.
    paying = [s for s in sent if not s.startswith("SELECT webhook_endpoints")]
    assert len(paying) <= PAYING_STATEMENTS, "\n".join(paying)
    assert not [s for s in paying if s.startswith("UPDATE refunds")], paying
