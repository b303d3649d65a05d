"""Queued e-mail goes through the outbox and a real worker to a real SMTP server, once."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bench.inprocess import counted_statements
from returns_service.models import utcnow
from returns_service.notifications.email import deliver_email, queue_email
from returns_service.notifications.models import SentEmail, Transport
from returns_service.outbox import MessageStatus, OutboxMessage
from returns_service.shop import shop_settings
from returns_service.worker import run_message, work_burst

Override = Callable[..., AbstractContextManager[None]]


CONTEXT = {
    "customer_name": "山田 花子",
    "rma": "RMA-10042",
    "order_number": "#1042",
    "message": "開封済みの化粧品は返品をお受けしておりません。",
}


def _queue(app: Flask, session: Session, to: str = "hanako@example.jp") -> OutboxMessage:
    message = queue_email(
        session,
        utcnow(),
        kind="return_rejected",
        to=to,
        locale="ja",
        context=CONTEXT,
        subject_type="return",
        subject_id=42,
    )
    session.commit()
    return message


def _sent_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(SentEmail))


def _failed_at_once(outbox_message: Callable, message_id: str) -> str:
    """The message failed for good at its first attempt: its error."""
    failed = outbox_message(message_id)
    assert failed.status is MessageStatus.FAILED
    assert failed.attempts == 1
    return failed.last_error


def test_queue_email_records_a_json_payload_carrying_its_own_id(
    app: Flask, session: Session
) -> None:
    message = _queue(app, session)

    stored = session.get(OutboxMessage, message.id)
    assert stored is not None and stored.job == "send_email"
    assert stored.payload["message_id"] == message.id
    assert json.loads(json.dumps(stored.payload)) == stored.payload
    assert stored.payload["kind"] == "return_rejected" and stored.payload["locale"] == "ja"


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"kind": "return_misplaced"}, "unknown e-mail kind 'return_misplaced'"),
        ({"locale": "de"}, "unknown locale 'de'"),
        ({"to": "not an address"}, "not an e-mail address"),
        ({"context": {"customer_name": "X"}}, "needs rma, order_number"),
    ],
)
def test_queue_email_refuses_what_it_cannot_send(
    app: Flask, session: Session, changes: dict, error: str
) -> None:
    arguments = {
        "kind": "return_rejected",
        "to": "hanako@example.jp",
        "locale": "ja",
        "context": CONTEXT,
        "subject_type": "return",
        "subject_id": 42,
        **changes,
    }
    with app.app_context(), pytest.raises(ValueError, match=error):
        queue_email(session, utcnow(), **arguments)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_worker_delivers_japanese_mail_intact_and_only_once(
    app: Flask, session: Session, use_smtp: Any, outbox_message: Callable
) -> None:
    message = _queue(app, session)

    work_burst(app)

    assert len(use_smtp.received) == 1
    received = use_smtp.received[0]
    assert received.mail_from == app.config["MAIL_FROM"]
    assert received.rcpt_tos == ["hanako@example.jp"]
    mail = received.message
    sent = session.scalar(select(SentEmail))
    assert sent is not None and sent.transport is Transport.SMTP
    assert sent.outbox_message_id == message.id
    assert (
        mail["Subject"]
        == sent.subject
        == ("返品のお申し込みをお受けできませんでした（返品番号 RMA-10042）")
    )
    assert mail["To"] == "hanako@example.jp"
    assert mail["From"].addresses[0].display_name == app.config["SHOP_NAME"]
    assert mail["From"].addresses[0].addr_spec == app.config["MAIL_FROM"]
    assert mail["Message-ID"] == f"<{message.id}@example.com>"
    assert mail["Date"].datetime is not None
    assert mail.get_content_charset() == "utf-8"
    body = mail.get_content().replace("\r\n", "\n")
    assert body == sent.body
    assert "山田 花子 様" in body and "開封済みの化粧品は返品をお受けしておりません。" in body
    assert outbox_message(message.id).status is MessageStatus.SUCCEEDED

    # Delivered again by RQ: the message already succeeded, so nothing runs.
    with app.app_context():
        assert run_message(message.id) == "succeeded"
    # Run again as if its success had never been recorded (the relay after a lost
    # acknowledgement): the SentEmail row stops a second send.
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id)
        .values(status=MessageStatus.PENDING, enqueued_at=None)
    )
    session.commit()
    work_burst(app)

    assert len(use_smtp.received) == 1
    assert _sent_count(session) == 1
    assert outbox_message(message.id).status is MessageStatus.SUCCEEDED


def test_a_crash_between_send_and_commit_resends_with_the_same_message_id(
    app: Flask, session: Session, use_smtp: Any
) -> None:
    message = _queue(app, session)
    # The first attempt sends, then dies before its transaction commits.
    with app.app_context():
        deliver_email(session, utcnow(), shop_settings(app), **message.payload)
    session.rollback()
    assert len(use_smtp.received) == 1 and _sent_count(session) == 0

    work_burst(app)

    assert len(use_smtp.received) == 2
    first, second = (r.message["Message-ID"] for r in use_smtp.received)
    assert first == second == f"<{message.id}@example.com>"
    assert _sent_count(session) == 1


@pytest.mark.parametrize("stage", ["rcpt", "data"])
def test_a_5xx_refusal_fails_the_job_at_once(
    app: Flask, session: Session, use_smtp: Any, outbox_message: Callable, stage: str
) -> None:
    setattr(use_smtp.handler, f"{stage}_reply", "550 5.1.1 mailbox unavailable")
    message = _queue(app, session)

    work_burst(app)

    error = _failed_at_once(outbox_message, message.id)
    assert "550" in error and "mailbox unavailable" in error
    assert _sent_count(session) == 0


def test_a_message_that_cannot_be_built_fails_at_once_and_is_not_logged(
    app: Flask,
    session: Session,
    use_smtp: Any,
    outbox_message: Callable,
    override_config: Override,
) -> None:
    message = _queue(app, session)

    with override_config(MAIL_FROM="shop@example.com\nBcc: everyone@example.com"):
        work_burst(app)

    assert "line break" in _failed_at_once(outbox_message, message.id)
    assert _sent_count(session) == 0 and use_smtp.received == []


def test_a_4xx_answer_is_retried_then_failed(
    app: Flask,
    session: Session,
    use_smtp: Any,
    outbox_message: Callable,
    override_config: Override,
) -> None:
    use_smtp.handler.data_reply = "451 4.3.0 try again later"
    message = _queue(app, session)

    with override_config(JOB_RETRIES=1):
        work_burst(app)

    failed = outbox_message(message.id)
    assert failed.status is MessageStatus.FAILED
    assert failed.attempts == 2
    assert "451" in failed.last_error
    assert _sent_count(session) == 0


def test_smtp_down_is_retried_and_finally_failed(
    app: Flask,
    session: Session,
    outbox_message: Callable,
    override_config: Override,
    unused_port: Callable[[], int],
) -> None:
    message = _queue(app, session)

    with override_config(SMTP_HOST="127.0.0.1", SMTP_PORT=unused_port(), JOB_RETRIES=1):
        with app.app_context():
            assert run_message(message.id) == "retry"
        waiting = outbox_message(message.id)
        assert waiting.status is MessageStatus.PENDING and waiting.attempts == 1
        assert "could not send through SMTP server" in waiting.last_error

        work_burst(app)

    failed = outbox_message(message.id)
    assert failed.status is MessageStatus.FAILED and failed.attempts == 2
    assert _sent_count(session) == 0


def test_a_retry_succeeds_once_the_server_is_back(
    app: Flask,
    session: Session,
    smtp_server: Any,
    outbox_message: Callable,
    override_config: Override,
    unused_port: Callable[[], int],
) -> None:
    message = _queue(app, session)
    with override_config(SMTP_HOST="127.0.0.1", SMTP_PORT=unused_port()):
        with app.app_context():
            assert run_message(message.id) == "retry"

    with override_config(SMTP_HOST=smtp_server.host, SMTP_PORT=smtp_server.port):
        work_burst(app)

    assert len(smtp_server.received) == 1
    assert outbox_message(message.id).status is MessageStatus.SUCCEEDED


def test_login_is_used_when_configured(
    app: Flask,
    session: Session,
    smtp_server_with_login: Any,
    smtp_login: tuple[str, str],
    outbox_message: Callable,
    override_config: Override,
) -> None:
    server = smtp_server_with_login
    user, password = smtp_login
    ok = _queue(app, session, to="ok@example.jp")
    with override_config(
        SMTP_HOST=server.host,
        SMTP_PORT=server.port,
        SMTP_USERNAME=user,
        SMTP_PASSWORD=password,
    ):
        work_burst(app)
    wrong = _queue(app, session, to="wrong@example.jp")
    with override_config(
        SMTP_HOST=server.host,
        SMTP_PORT=server.port,
        SMTP_USERNAME=user,
        SMTP_PASSWORD="wrong",
    ):
        work_burst(app)

    assert [(r.rcpt_tos, r.authenticated) for r in server.received] == [(["ok@example.jp"], True)]
    assert outbox_message(ok.id).status is MessageStatus.SUCCEEDED
    refused = outbox_message(wrong.id)
    assert refused.status is MessageStatus.FAILED and "535" in refused.last_error


def test_without_smtp_host_mail_is_stored_in_the_mailbox_only(
    app: Flask,
    session: Session,
    smtp_server: Any,
    outbox_message: Callable,
    override_config: Override,
) -> None:
    message = _queue(app, session)

    with override_config(SMTP_HOST=""):
        work_burst(app)

    sent = session.scalar(select(SentEmail))
    assert sent is not None and sent.transport is Transport.MAILBOX
    assert sent.to_address == "hanako@example.jp" and sent.subject_id == 42
    assert "開封済みの化粧品" in sent.body
    assert smtp_server.received == []
    assert outbox_message(message.id).status is MessageStatus.SUCCEEDED


def test_an_email_job_sends_two_statements_claim_and_log(
    app: Flask, session: Session, use_smtp: Any
) -> None:
    message = _queue(app, session)

    with app.app_context(), counted_statements(app) as sent:
        assert run_message(message.id) == "succeeded"

    # The claim marks the message done in the job's transaction; the log skips a repeat.
    assert [" ".join(statement.split()[:3]) for statement in sent] == [
        "UPDATE outbox_messages SET",
        "INSERT INTO sent_emails",
    ]
    assert len(use_smtp.received) == 1
