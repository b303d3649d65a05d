"""The timeline's events and the outbox's messages are written by one plain insert per table
at flush, not by the unit of work; what a use case kept of them follows its savepoints."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from returns_service import outbox
from returns_service.events import Event, record_event, recorded_timeline, timeline
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.orders.models import Customer
from returns_service.outbox import MessageStatus, OutboxMessage
from tests.statements import statements_sent


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A session of the app's own, with its listeners (a test's own session has none)."""
    with app.app_context():
        yield db.session()


def _event(session: Session, subject_id: int, kind: str, **data: object) -> Event:
    return record_event(
        session,
        subject_type="return",
        subject_id=subject_id,
        kind=kind,
        actor="system",
        now=utcnow(),
        **data,
    )


def test_a_flush_writes_events_and_messages_by_one_insert_per_table(session: Session) -> None:
    now = utcnow()
    _event(session, 1, "return.filed")
    _event(session, 1, "return.approved", rule="default")
    message = outbox.record(session, "send_email", now, to="a@shop.example")
    outbox.record(session, "issue_refund", now, refund_id=7)
    with statements_sent() as sent:
        session.flush()
    # Both tables' rows in one statement, each table's with a VALUES list.
    [statement] = sent
    assert re.findall(r"INSERT INTO \w+", statement) == [
        "INSERT INTO events",
        "INSERT INTO outbox_messages",
    ]
    assert statement.count("), (") == 2
    assert not session.new and message not in session  # left as built, nothing read back
    assert not session.identity_map
    session.commit()
    kinds = session.scalars(select(Event.kind).order_by(Event.id)).all()
    assert kinds == ["return.filed", "return.approved"]
    stored = session.get_one(OutboxMessage, message.id)
    assert (stored.status, stored.attempts, stored.payload) == (
        MessageStatus.PENDING,
        0,
        {"to": "a@shop.example"},
    )


def test_a_query_sees_the_events_recorded_before_it(session: Session) -> None:
    _event(session, 2, "return.filed")
    assert [e.kind for e in timeline(session, "return", 2)] == ["return.filed"]


def test_a_flush_with_other_changes_writes_them_all(session: Session) -> None:
    session.add(Customer(email="c@shop.example", name="C"))
    _event(session, 3, "return.filed")
    session.commit()
    assert session.scalar(select(func.count()).select_from(Customer)) == 1
    assert session.scalar(select(func.count()).select_from(Event)) == 1


def test_events_of_a_savepoint_rolled_back_leave_the_recorded_timeline(session: Session) -> None:
    _event(session, 4, "return.filed")
    savepoint = session.begin_nested()
    _event(session, 4, "return.approved")
    session.flush()
    savepoint.rollback()
    with session.begin_nested():
        _event(session, 4, "return.received")
    assert [e.kind for e in recorded_timeline(session, "return", 4)] == [
        "return.filed",
        "return.received",
    ]
    session.commit()
    assert [e.kind for e in timeline(session, "return", 4)] == ["return.filed", "return.received"]
    assert recorded_timeline(session, "return", 4) == []  # the transaction ended


def test_events_of_a_savepoint_whose_flush_failed_leave_the_recorded_timeline(
    session: Session,
) -> None:
    session.add(Customer(external_id="C-1", email="c1@shop.example", name="C"))
    _event(session, 5, "return.filed")
    session.flush()
    with pytest.raises(IntegrityError), session.begin_nested():
        _event(session, 5, "return.approved")
        session.add(Customer(external_id="C-1", email="again@shop.example", name="C"))
        session.flush()  # the event is written, then the customer's insert fails
    assert [e.kind for e in recorded_timeline(session, "return", 5)] == ["return.filed"]
    session.commit()
    assert [e.kind for e in timeline(session, "return", 5)] == ["return.filed"]
