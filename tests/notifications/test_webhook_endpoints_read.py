"""A transaction reads the webhook endpoints once for all its events, and again after a change."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from returns_service.models import utcnow
from returns_service.notifications.models import WebhookEndpoint
from returns_service.notifications.webhooks import queue_webhook


def _endpoint(session: Session, url: str) -> WebhookEndpoint:
    endpoint = WebhookEndpoint(url=url, secret="s" * 24, events=[], created_at=utcnow())
    session.add(endpoint)
    return endpoint


def _endpoint_reads(session: Session) -> list[str]:
    reads: list[str] = []

    def note(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        if "FROM webhook_endpoints" in statement:
            reads.append(statement)

    event.listen(session.get_bind(), "before_cursor_execute", note)
    return reads


def test_one_read_per_transaction_and_a_new_endpoint_is_seen(session: Session) -> None:
    first = _endpoint(session, "https://hooks.example.com/a")
    session.commit()
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
