"""A real SMTP server on loopback, config overrides that always restore, and helpers."""

from __future__ import annotations

import functools
import socket
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service import use_shop_settings
from returns_service.extensions import db
from returns_service.outbox import OutboxMessage

SMTP_USER = "mailer"
SMTP_PASSWORD = "correct horse battery staple"


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def _config_overrides(app: Flask, **values: Any) -> Iterator[None]:
    missing = object()
    saved = {key: app.config.get(key, missing) for key in values}
    app.config.update(values)
    use_shop_settings(app)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is missing:
                app.config.pop(key, None)
            else:
                app.config[key] = value
        use_shop_settings(app)


@dataclass
class Received:
    """One message as the SMTP server got it."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    authenticated: bool
    #: The client's address and port: one per connection.
    peer: Any = None


@dataclass
class RecordingHandler:
    """An aiosmtpd handler that keeps every message and can be told to refuse them."""

    received: list[Received] = field(default_factory=list)
    #: A reply such as ``"550 5.1.1 no such user"`` to give at RCPT or DATA instead of 250.
    rcpt_reply: str | None = None
    data_reply: str | None = None

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_reply:
            return self.data_reply
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        self.received.append(
            Received(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                message,
                bool(session.authenticated),
                session.peer,
            )
        )
        return "250 Message accepted"


@dataclass
class SmtpServer:
    """A running loopback SMTP server."""

    host: str
    port: int
    handler: RecordingHandler

    @property
    def received(self) -> list[Received]:
        return self.handler.received


def _authenticate(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login.decode() == SMTP_USER and auth_data.password.decode() == SMTP_PASSWORD
    )
    return AuthResult(success=ok, handled=False)  # not handled: the server answers 535


def _start(handler: RecordingHandler, **options: Any) -> Iterator[SmtpServer]:
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, handler)
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """An SMTP server on a free loopback port that records what it receives."""
    yield from _start(RecordingHandler())


@pytest.fixture
def smtp_server_with_login() -> Iterator[SmtpServer]:
    """An SMTP server that offers AUTH without TLS (loopback only) and notes who logged in."""
    yield from _start(RecordingHandler(), authenticator=_authenticate, auth_require_tls=False)


@pytest.fixture
def override_config(app: Flask) -> Callable[..., AbstractContextManager[None]]:
    """``with override_config(KEY=value): ...`` sets app config keys, then restores them."""
    return functools.partial(_config_overrides, app)


@pytest.fixture
def unused_port() -> Callable[[], int]:
    """Find a loopback port nothing listens on (an SMTP or HTTP server that is down)."""
    return free_port


@pytest.fixture
def smtp_login() -> tuple[str, str]:
    """The user name and password ``smtp_server_with_login`` accepts."""
    return SMTP_USER, SMTP_PASSWORD


@pytest.fixture
def use_smtp(app: Flask, smtp_server: SmtpServer) -> Iterator[SmtpServer]:
    """Point the app at the loopback SMTP server for one test."""
    with _config_overrides(app, SMTP_HOST=smtp_server.host, SMTP_PORT=smtp_server.port):
        yield smtp_server


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A session of the test's own, apart from the ones requests and jobs use.

    Tests here look at rows the worker wrote; with a session of their own, closed at the
    end, no transaction of theirs outlives the test and blocks the next one's truncate.
    """
    with Session(db.engine, expire_on_commit=False) as own:
        yield own


@pytest.fixture
def outbox_message(session: Session) -> Callable[[str], OutboxMessage]:
    """Read an outbox message afresh from the database."""

    def read(message_id: str) -> OutboxMessage:
        session.expire_all()
        message = session.scalar(select(OutboxMessage).where(OutboxMessage.id == message_id))
        assert message is not None
        return message

    return read
