"""A worker keeps its SMTP connection between messages and replaces one the server dropped;
the message it builds reads back as written, in Japanese and in English."""

from __future__ import annotations

import email.policy
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.utils import parseaddr

import pytest
from aiosmtpd.controller import Controller

from returns_service.errors import PermanentJobError
from returns_service.notifications import smtp
from returns_service.notifications.email import RenderedEmail
from returns_service.notifications.smtp import SmtpSettings, TransientMailError
from tests.notifications.conftest import RecordingHandler, free_port


def _message(number: int) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "shop@example.com"
    message["To"] = "hanako@example.jp"
    message["Subject"] = f"message {number}"
    message.set_content("本文です。", charset="utf-8", cte="base64")
    return message


class Server:
    """A loopback SMTP server that can be stopped and started again on its port."""

    def __init__(self) -> None:
        self.handler = RecordingHandler()
        self.settings = SmtpSettings("127.0.0.1", free_port())
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.settings.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()  # every open connection goes with it
            self.controller = None


@pytest.fixture
def server() -> Iterator[Server]:
    server = Server()
    server.start()
    try:
        yield server
    finally:
        server.stop()
        smtp.close_kept_connection()


def test_messages_share_one_connection(server: Server) -> None:
    for number in range(3):
        smtp.send(server.settings, _message(number))
    received = server.handler.received
    assert [r.message["Subject"] for r in received] == [f"message {n}" for n in range(3)]
    assert len({r.peer for r in received}) == 1


def test_a_connection_the_server_dropped_is_replaced(server: Server) -> None:
    smtp.send(server.settings, _message(1))
    server.stop()
    server.start()
    smtp.send(server.settings, _message(2))
    received = server.handler.received
    assert [r.message["Subject"] for r in received] == ["message 1", "message 2"]
    assert received[0].peer != received[1].peer


def test_a_server_gone_for_good_is_still_a_transient_error(server: Server) -> None:
    smtp.send(server.settings, _message(1))
    server.stop()
    with pytest.raises(TransientMailError):
        smtp.send(server.settings, _message(2))
    assert len(server.handler.received) == 1


def _decoded(header: str) -> str:
    """A header decoded as RFC 2047 says (the default policy's address parser adds spaces
    of its own between words)."""
    return str(make_header(decode_header(header)))


def _built(subject: str, body: str, to: str = "a@b.example", shop_name: str = "Shop") -> bytes:
    return smtp.build_message(
        RenderedEmail(subject=subject, body=body),
        to=to,
        mail_from="shop@example.com",
        shop_name=shop_name,
        message_id="m-1",
        now=datetime(2026, 12, 3, tzinfo=UTC),
    ).as_bytes()


@pytest.mark.parametrize(
    ("subject", "body", "to", "encoding"),
    [
        (
            "返品を受け付けました（注文 #1001）" * 4,
            "山田 花子 様\n\n本文です。\n" * 20,
            "hanako@example.jp",
            "base64",
        ),
        ("ご返品について", "本文です。\n", "山田 花子" * 12 + " <hanako@example.jp>", "base64"),
        ("Your return was received (order #1001)", "Dear Hanako,\n" * 20, "a@b.example", "7bit"),
        # A line longer than 7bit allows (a message staff wrote as one paragraph).
        ("Your return", "We are sorry. " * 100 + "\n", "a@b.example", "quoted-printable"),
    ],
)
@pytest.mark.parametrize("shop_name", ["テスト店", "Test Shop, Inc.", "テスト店" * 20])
def test_a_built_message_reads_back_as_written(
    subject: str, body: str, to: str, encoding: str, shop_name: str
) -> None:
    written = _built(subject, body, to, shop_name)
    assert written.isascii() and max(len(line) for line in written.splitlines()) <= 78
    raw = email.message_from_bytes(written)
    words = re.findall(rb"=\?utf-8\?b\?[^?]*\?=", written)
    assert all(len(word) <= 75 for word in words), words

    read = email.message_from_bytes(written, policy=email.policy.default)
    assert _decoded(raw["Subject"]) == subject
    assert parseaddr(_decoded(raw["From"])) == (shop_name, "shop@example.com")
    assert parseaddr(_decoded(raw["To"])) == parseaddr(to)
    assert read["Message-ID"] == "<m-1@example.com>"
    assert read["Date"].datetime == datetime(2026, 12, 3, tzinfo=UTC)
    assert read["Auto-Submitted"] == "auto-generated"
    assert read["Content-Transfer-Encoding"] == encoding
    assert read.get_content() == body


@pytest.mark.parametrize("enable_utf8", [True, False])
def test_an_address_that_is_not_ascii_goes_where_the_server_takes_it(enable_utf8: bool) -> None:
    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, enable_SMTPUTF8=enable_utf8)
    controller.start()
    message = smtp.build_message(
        RenderedEmail(subject="返品を受け付けました", body="本文です。\n"),
        to="花子@example.jp",
        mail_from="shop@example.com",
        shop_name="テスト店",
        message_id="m-1",
        now=datetime(2026, 12, 3, tzinfo=UTC),
    )
    try:
        if enable_utf8:
            smtp.send(SmtpSettings("127.0.0.1", port), message)
            [received] = handler.received
            assert received.rcpt_tos == ["花子@example.jp"]
            # Sent as UTF-8 (SMTPUTF8); the recording server reads such bytes as escapes.
            written = received.message["To"].addresses[0].addr_spec
            assert written.encode("ascii", "surrogateescape").decode() == "花子@example.jp"
            assert received.message.get_content() == "本文です。\n"
        else:
            with pytest.raises(PermanentJobError, match="does not support"):
                smtp.send(SmtpSettings("127.0.0.1", port), message)
    finally:
        smtp.close_kept_connection()
        controller.stop()


@pytest.mark.parametrize(
    "header",
    [{"subject": "Your return\r\nBcc: all@example.com"}, {"shop_name": "Shop\nBcc: a@b.example"}],
)
def test_a_header_value_with_a_line_break_is_refused(header: dict[str, str]) -> None:
    values = {"subject": "Your return", "shop_name": "Shop"} | header
    with pytest.raises(ValueError, match="may not hold a line break"):
        smtp.build_message(
            RenderedEmail(subject=values["subject"], body="Hello\n"),
            to="a@b.example",
            mail_from="shop@example.com",
            shop_name=values["shop_name"],
            message_id="m-1",
            now=datetime(2026, 12, 3, tzinfo=UTC),
        )
