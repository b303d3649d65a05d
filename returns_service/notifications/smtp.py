"""Building a MIME message from a rendered e-mail and handing it to an SMTP server.

Errors are sorted for the job's retry logic: a server that cannot be reached or answers
4xx may take the message later (:class:`TransientMailError`, retried with backoff); a 5xx
answer will not change on its own (``PermanentJobError``, failed at once, visible to staff).
"""

from __future__ import annotations

import contextlib
import itertools
import smtplib
import ssl
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.charset import QP, Charset
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr
from typing import TYPE_CHECKING, Any

from returns_service.errors import PermanentJobError

if TYPE_CHECKING:
    from returns_service.notifications.email import RenderedEmail

TIMEOUT_SECONDS = 10


class TransientMailError(Exception):
    """The SMTP server could not take the message now; another attempt may succeed."""


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to connect."""

    host: str
    port: int
    username: str = ""
    password: str = ""
    starttls: bool = False

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SmtpSettings:
        """The SMTP settings of the app config."""
        return cls(
            host=config["SMTP_HOST"],
            port=int(config["SMTP_PORT"]),
            username=config["SMTP_USERNAME"],
            password=config["SMTP_PASSWORD"],
            starttls=bool(config["SMTP_STARTTLS"]),
        )


def message_id_header(message_id: str, mail_from: str) -> str:
    """A Message-ID that depends only on the outbox message, so a resend repeats it."""
    domain = mail_from.rpartition("@")[2] or "localhost"
    return f"<{message_id}@{domain}>"


_UTF8 = Charset("utf-8")
#: ASCII text with a line too long for 7bit goes quoted-printable.
_QUOTED = Charset("us-ascii")
_QUOTED.body_encoding = QP
#: A header's lines may be 78 characters long, an encoded word 75 (RFC 2047).
_LINE, _WORD = 78, 75


def _text_header(name: str, value: str) -> str:
    """A header's value: as it is where ASCII, else as RFC 2047 words in UTF-8, one to a
    line (the first after the header's name, the next after a space), spaces kept inside
    the words."""
    if value.isascii():
        return value
    lengths = itertools.chain([min(_WORD, _LINE - len(name) - 2)], itertools.repeat(_WORD))
    return "\n ".join(_UTF8.header_encode_lines(value, lengths))


def _address_header(name: str, display_name: str, address: str) -> str:
    """An address header's value: the display name quoted where ASCII, else encoded."""
    if display_name.isascii():
        return formataddr((display_name, address))
    return f"{_text_header(name, display_name)} <{address}>"


def _body(text: str) -> MIMEText:
    """The body: ASCII as it is (7bit) where each line fits, else quoted-printable; any
    other text UTF-8 in base64, so servers without 8BITMIME pass it through intact."""
    if not text.isascii():
        return MIMEText(text, "plain", "utf-8")
    if max(map(len, text.splitlines()), default=0) <= _LINE:
        return MIMEText(text, "plain", "us-ascii")
    return MIMEText(text, "plain", _QUOTED)


def _one_line(**values: str) -> None:
    for name, value in values.items():
        if "\r" in value or "\n" in value:
            raise ValueError(f"the e-mail's {name} may not hold a line break: {value!r}")


def _with_international_address(
    rendered: RenderedEmail, to: str, mail_from: str, shop_name: str
) -> EmailMessage:
    """A message to or from an address that is not ASCII, as the e-mail policy builds it:
    smtplib sends it with SMTPUTF8 where the server offers that, and refuses it where not
    (a ``PermanentJobError``, see :func:`send`)."""
    message = EmailMessage(policy=policy.default)
    message["From"] = Address(display_name=shop_name, addr_spec=mail_from)
    message["To"] = to
    message["Subject"] = rendered.subject
    body = rendered.body
    message.set_content(body, charset="utf-8", cte=None if body.isascii() else "base64")
    return message


def build_message(
    rendered: RenderedEmail,
    *,
    to: str,
    mail_from: str,
    shop_name: str,
    message_id: str,
    now: datetime,
) -> Message:
    """A plain-text message (see :func:`_body`), its headers with Japanese written as
    RFC 2047 words in UTF-8.

    Built with the standard library's MIME classes and their ``compat32`` policy, the
    headers encoded here: the e-mail policy of ``EmailMessage`` parses and folds every
    header it is given, which took three times as long to build and write a message (and
    its folding of a long Japanese name lost a space). A message to or from an address
    that is not ASCII needs that policy (smtplib sends it with SMTPUTF8) and is built with
    it. As that policy did, a header value with a line break is refused (``ValueError``):
    it would start a header of its own.
    """
    _one_line(subject=rendered.subject, to=to, mail_from=mail_from, shop_name=shop_name)
    to_name, to_address = parseaddr(to)
    if to_address.isascii() and mail_from.isascii():
        message: Message = _body(rendered.body)
        message["From"] = _address_header("From", shop_name, mail_from)
        message["To"] = _address_header("To", to_name, to_address)
        message["Subject"] = _text_header("Subject", rendered.subject)
    else:
        message = _with_international_address(rendered, to, mail_from, shop_name)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id_header(message_id, mail_from)
    # RFC 3834: tells mail systems not to send vacation replies to a machine.
    message["Auto-Submitted"] = "auto-generated"
    return message


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


class _Connection(threading.local):
    """The SMTP connection this thread keeps open between messages, and where it goes."""

    smtp: smtplib.SMTP | None = None
    settings: SmtpSettings | None = None


_kept = _Connection()


def _open(settings: SmtpSettings) -> smtplib.SMTP:
    smtp = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_SECONDS)
    try:
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.username:
            smtp.login(settings.username, settings.password)
    except BaseException:
        smtp.close()
        raise
    return smtp


def close_kept_connection() -> None:
    """Say goodbye to this thread's kept connection, if any (a worker that stops)."""
    smtp, _kept.smtp, _kept.settings = _kept.smtp, None, None
    if smtp is not None:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            smtp.quit()
        smtp.close()


def _stale(exc: Exception) -> bool:
    """Whether a kept connection failed because the server let it go while it sat idle."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code == 421  # the server closes the channel
    return isinstance(exc, (smtplib.SMTPServerDisconnected, OSError))


def _send_kept(settings: SmtpSettings, message: Message) -> None:
    """Send on the thread's kept connection, opening one (again) where needed.

    A connection per message cost a worker a TCP handshake, a greeting, EHLO (and TLS and
    a login) for each e-mail. A kept connection the server dropped since is replaced once.
    """
    kept = _kept.smtp is not None and _kept.settings == settings
    if not kept:
        close_kept_connection()
        _kept.smtp, _kept.settings = _open(settings), settings
    try:
        _kept.smtp.send_message(message)  # type: ignore[union-attr]
    except Exception as exc:
        close_kept_connection()
        if not (kept and _stale(exc)):
            raise
        _kept.smtp, _kept.settings = _open(settings), settings
        try:
            _kept.smtp.send_message(message)
        except Exception:
            close_kept_connection()
            raise


def send(settings: SmtpSettings, message: Message) -> None:
    """Hand one message to the SMTP server; see the module docstring for the errors."""
    where = f"{settings.host}:{settings.port}"
    try:
        _send_kept(settings, message)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        detail = "; ".join(
            f"{address}: {code} {_text(text)}" for address, (code, text) in exc.recipients.items()
        )
        if codes and all(500 <= code < 600 for code in codes):
            raise PermanentJobError(f"SMTP server {where} refused the recipient: {detail}") from exc
        raise TransientMailError(f"SMTP server {where} deferred the recipient: {detail}") from exc
    except smtplib.SMTPConnectError as exc:
        # A refusal at the greeting is a server that is busy or not ready: try again later.
        raise TransientMailError(
            f"SMTP server {where} refused the connection: {exc.smtp_code} {_text(exc.smtp_error)}"
        ) from exc
    except smtplib.SMTPResponseException as exc:
        detail = f"{exc.smtp_code} {_text(exc.smtp_error)}"
        if 500 <= exc.smtp_code < 600:
            raise PermanentJobError(f"SMTP server {where} refused the message: {detail}") from exc
        raise TransientMailError(f"SMTP server {where} deferred the message: {detail}") from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise PermanentJobError(f"SMTP server {where} does not support this: {exc}") from exc
    except (smtplib.SMTPException, OSError) as exc:
        # Refused connection, timeout, lost connection, TLS handshake: all may pass.
        raise TransientMailError(f"could not send through SMTP server {where}: {exc}") from exc
