"""A transaction reads the webhook endpoints once for all its events, and again after a change;
a process takes them as it read them a moment ago, and another process's change within
``RETURNS_ACCESS_CHECK_SECONDS``."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.notifications import webhooks
from returns_service.notifications.models import WebhookEndpoint
from returns_service.notifications.webhooks import queue_webhook


def _endpoint(session: Session, url: str) -> WebhookEndpoint:
    endpoint = WebhookEndpoint(url=url, secret="s" * 24, events=[], created_at=utcnow())
    session.add(endpoint)
    return endpoint


def _committed_endpoint(session: Session) -> WebhookEndpoint:
    endpoint = _endpoint(session, "https://hooks.example.com/a")
    session.commit()
    return endpoint


def _flushed_endpoint(writing: Session) -> WebhookEndpoint:
    """A second endpoint, written by ``writing``'s transaction and not committed."""
    endpoint = _endpoint(writing, "https://hooks.example.com/b")
    writing.flush()
    return endpoint


def _endpoint_reads(session: Session) -> list[str]:
    reads: list[str] = []

    def note(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        if "FROM webhook_endpoints" in statement:
            reads.append(statement)

    event.listen(session.get_bind(), "before_cursor_execute", note)
    return reads


def test_one_read_per_transaction_and_a_new_endpoint_is_seen(session: Session) -> None:
    first = _committed_endpoint(session)
    reads = _endpoint_reads(session)

    received = queue_webhook(session, utcnow(), "return.received", {})
    approved = queue_webhook(session, utcnow(), "return.approved", {})
    assert len(reads) == 1
    assert [m.payload["endpoint_id"] for m in received + approved] == [first.id, first.id]

    second = _endpoint(session, "https://hooks.example.com/b")
    session.flush()
    refunded = queue_webhook(session, utcnow(), "refund.issued", {})
    assert [m.payload["endpoint_id"] for m in refunded] == [first.id, second.id]
    session.commit()

    queue_webhook(session, utcnow(), "return.closed", {})
    assert len(reads) == 3  # the next transaction reads them again


def _queued_for(session: Session, event_name: str) -> list[int]:
    """The endpoints a transaction of the service records ``event_name`` for, committed."""
    messages = queue_webhook(session, utcnow(), event_name, {})
    session.commit()
    return [m.payload["endpoint_id"] for m in messages]


def test_the_process_takes_the_endpoints_it_read_a_moment_ago(app: Flask, session: Session) -> None:
    first = _committed_endpoint(session)
    with db.session_factory() as service:  # a request's or a job's, with the shop's settings
        reads = _endpoint_reads(service)
        assert _queued_for(service, "return.received") == [first.id]
        assert _queued_for(service, "return.approved") == [first.id]
    assert len(reads) == 1


def test_another_process_s_endpoint_is_taken_within_the_window(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1000.0]
    monkeypatch.setattr(webhooks._recent, "clock", lambda: now[0])
    first = _committed_endpoint(session)
    window = app.config["ACCESS_CHECK_SECONDS"]
    with db.session_factory() as service:
        assert _queued_for(service, "return.received") == [first.id]
        # Written by another process: no event of this one's ORM tells it.
        added = session.scalar(
            insert(WebhookEndpoint)
            .values(url="https://hooks.example.com/b", secret="s" * 24, events=[])
            .returning(WebhookEndpoint.id)
        )
        session.commit()
        now[0] += window - 0.5
        assert _queued_for(service, "return.approved") == [first.id]
        now[0] += 1
        assert _queued_for(service, "refund.issued") == [first.id, added]


def test_a_change_made_here_is_taken_at_once(app: Flask, session: Session) -> None:
    first = _committed_endpoint(session)
    with db.session_factory() as service:
        assert _queued_for(service, "return.received") == [first.id]
        second = _endpoint(service, "https://hooks.example.com/b")  # in the same transaction
        assert _queued_for(service, "return.approved") == [first.id, second.id]
        first.events = ["refund.issued"]
        session.commit()
        assert _queued_for(service, "return.closed") == [second.id]


def test_with_no_window_every_transaction_reads(
    app: Flask, session: Session, configure: Callable[..., None]
) -> None:
    configure(ACCESS_CHECK_SECONDS=0)
    _endpoint(session, "https://hooks.example.com/a")
    session.commit()
    with db.session_factory() as service:
        reads = _endpoint_reads(service)
        _queued_for(service, "return.received")
        _queued_for(service, "return.approved")
    assert len(reads) == 2


def test_what_was_read_while_a_change_was_uncommitted_is_read_again_after(
    app: Flask, session: Session
) -> None:
    first = _committed_endpoint(session)
    with db.session_factory() as changing, db.session_factory() as other:
        endpoint = changing.get(WebhookEndpoint, first.id)
        assert endpoint is not None
        endpoint.events = ["refund.issued"]
        changing.flush()
        assert _queued_for(other, "return.received") == [first.id]  # as committed so far
        changing.commit()
        assert _queued_for(other, "return.approved") == []


def test_an_endpoint_not_committed_reaches_no_other_transaction(
    app: Flask, session: Session
) -> None:
    first = _committed_endpoint(session)
    with db.session_factory() as writing, db.session_factory() as other:
        second = _flushed_endpoint(writing)
        queued = queue_webhook(writing, utcnow(), "return.received", {})
        assert [m.payload["endpoint_id"] for m in queued] == [first.id, second.id]
        writing.rollback()
        assert _queued_for(other, "return.approved") == [first.id]


def test_a_transaction_sees_its_own_endpoint_whatever_another_kept(
    app: Flask, session: Session
) -> None:
    first = _committed_endpoint(session)
    with db.session_factory() as writing, db.session_factory() as other:
        second = _flushed_endpoint(writing)
        assert _queued_for(other, "return.received") == [first.id]  # as committed so far
        assert _queued_for(writing, "return.approved") == [first.id, second.id]
