"""Cancelling an order reads what it needs in a few statements, inserts the request with
its decision, and answers with what the transaction recorded."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from bench.inprocess import counted_statements
from tests.cancellations.conftest import Cancellations
from tests.shop import publish_default_rules

#: Order with its customer and lines (locked); its parcels, the units its cancellations
#: hold, what the settled ones gave back, the customer's history, the rules in force and
#: the refunds on their way and the key of the refund (one statement, under the lock); the
#: request with its lines (one statement); the refund, the events, outbox rows, the order's
#: and the request's changes in one statement at the flush (the webhook endpoints are taken
#: as the process read them for an earlier request).
CANCELLING_STATEMENTS = 4


def test_cancelling_an_order_sends_a_bounded_number_of_statements(
    app: Flask, session: Session, cancellations: Cancellations
) -> None:
    publish_default_rules(session)
    # The first cancellation after a publication also reads the new version (once per
    # process), which the count leaves out.
    first = cancellations.put_order("6009", number="#6009", fulfillment_status="allocated")
    assert cancellations.cancel(cancellations.customer(first)).status_code == 201
    order = cancellations.put_order(fulfillment_status="allocated")
    customer = cancellations.customer(order)

    with counted_statements(app) as sent:
        created = cancellations.cancel(customer)

    assert created.status_code == 201, created.json
    assert created.json["status"] == "cancelled"
    # The hand-over to the queue after the commit writes nothing to the database.
    assert len(sent) <= CANCELLING_STATEMENTS, "\n".join(sent)
    assert not [s for s in sent if "UPDATE cancellations SET decision" in s]
    # What is still on its way was read with the order's past, under the lock.
    assert not [s for s in sent if s.startswith("SELECT coalesce(sum(refunds.amount)")], sent


def test_the_answer_to_cancelling_is_what_reading_the_cancellation_gives(
    session: Session, cancellations: Cancellations
) -> None:
    publish_default_rules(session)
    order = cancellations.put_order(fulfillment_status="allocated")

    created = cancellations.cancel(cancellations.customer(order)).json
    read = cancellations.get(created["id"])

    assert created["timeline"] == read["timeline"]
    assert created["refund"] == read["refund"]
    assert created["refund"]["amount"]["amount"] > 0
