"""Customer e-mail: rendering in the customer's language, queueing through the outbox, and
the delivery the ``send_email`` job runs (the kinds and their context: ``mail_kinds``).

Templates live in ``templates/<kind>.txt``, one for every language: their words are
gettext messages, translated in ``returns_service/translations``. Each extends
``_layout.txt``, which writes the frame every e-mail shares: a first line ``Subject: ...``,
a blank line, then the body (greeting with the customer's name, the kind's own text, the signature).
A kind fills two blocks, ``subject`` and ``body``. Rendering is strict: a context key a
template needs but does not get is an error, so mistakes show when the e-mail is queued,
not when a customer reads a blank.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError, pass_context
from jinja2.runtime import Context
from sqlalchemy.orm import Session

from returns_service.catalogues import TRANSLATIONS
from returns_service.errors import PermanentJobError
from returns_service.notifications import links, smtp
from returns_service.notifications.formatting import format_amount, format_date
from returns_service.notifications.mail_kinds import check_context
from returns_service.notifications.models import SentEmail, Transport
from returns_service.outbox import OutboxMessage, record
from returns_service.plain_inserts import insert_row_unless_taken
from returns_service.shop import ShopSettings

log = logging.getLogger(__name__)

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


_ADDRESS = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")


@dataclass(frozen=True)
class RenderedEmail:
    """An e-mail ready to send: one subject line and a plain-text body."""

    subject: str
    body: str


@pass_context
def _date_filter(context: Context, value: Any) -> str:
    return format_date(value, context["locale"], context["timezone"])


@pass_context
def _money_filter(context: Context, value: Mapping[str, Any]) -> str:
    return format_amount(value["amount"], value["currency"], context["locale"])


@functools.cache
def _environment(locale: str) -> Environment:
    """The templates with the catalogue of one language; built once per language."""
    # Plain text, so no HTML escaping; StrictUndefined turns a missing key into an error.
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Compiled once: the templates ship with the code, no file is checked per e-mail.
        auto_reload=False,
        extensions=["jinja2.ext.i18n"],
    )
    translations = Translations.load(str(TRANSLATIONS), [locale])
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    env.filters["date"] = _date_filter
    env.filters["money"] = _money_filter
    return env


def template_name(kind: str) -> str:
    """The template file of one kind, relative to ``templates/``; one for every language."""
    return f"{kind}.txt"


def render_email(
    kind: str, locale: str, context: Mapping[str, Any], shop: ShopSettings
) -> RenderedEmail:
    """Render one e-mail; raises ``ValueError`` for a bad kind, locale or context."""
    link = context.get("status_link")
    status_url = links.status_url(shop, link) if link else None
    return _render(
        kind, locale, context, shop.shop_name, shop.public_url, shop.timezone, status_url
    )


def _render(
    kind: str,
    locale: str,
    context: Mapping[str, Any],
    shop_name: str,
    public_url: str,
    timezone: str,
    status_url: str | None,
) -> RenderedEmail:
    full = check_context(kind, locale, context)
    full |= {
        "shop_name": shop_name,
        "public_url": public_url,
        "locale": locale,
        "timezone": timezone,
        "status_url": status_url,
    }
    try:
        text = _environment(locale).get_template(template_name(kind)).render(full)
    except (TemplateError, KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"e-mail {kind!r} ({locale}) cannot be rendered: {exc}") from exc
    return _split(kind, locale, text)


def _split(kind: str, locale: str, text: str) -> RenderedEmail:
    head, _, body = text.partition("\n\n")
    if not head.startswith("Subject: ") or "\n" in head:
        raise ValueError(f"template {template_name(kind)} must start with 'Subject: '")
    subject = " ".join(head.removeprefix("Subject: ").split())
    lines = [line.rstrip() for line in body.strip("\n").splitlines()]
    # Blocks left out by a condition leave runs of blank lines; keep at most one.
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return RenderedEmail(subject=subject, body=body + "\n")


def queue_email(
    session: Session,
    now: datetime,
    *,
    kind: str,
    to: str,
    locale: str,
    context: Mapping[str, Any],
    subject_type: str,
    subject_id: int,
) -> OutboxMessage:
    """Record a ``send_email`` outbox message in the caller's transaction.

    The address and the context are checked here (kind, language, keys, money, JSON), so a
    bad one fails the caller's operation; the e-mail is rendered by the job that sends it,
    not in the caller's request. Raises ``ValueError`` naming what is wrong.
    """
    if not isinstance(to, str) or not _ADDRESS.match(to):
        raise ValueError(f"{to!r} is not an e-mail address")
    message = record(
        session,
        "send_email",
        now,
        kind=kind,
        to=to,
        locale=locale,
        context=check_context(kind, locale, context),
        subject_type=subject_type,
        subject_id=subject_id,
    )
    # The job needs its own outbox id (the e-mail's idempotency key and Message-ID).
    message.payload = {**message.payload, "message_id": message.id}
    return message


def deliver_email(
    session: Session,
    now: datetime,
    settings: ShopSettings,
    *,
    message_id: str,
    kind: str,
    to: str,
    locale: str,
    context: dict[str, Any],
    subject_type: str,
    subject_id: int,
) -> bool:
    """Render and send a queued e-mail, once; returns False when it was sent before.

    The ``SentEmail`` row is inserted in the caller's transaction before the e-mail goes out
    (one statement: an e-mail already logged under this outbox id inserts nothing and is
    not sent again), and commits with it. If the process dies after the SMTP server took
    the message but before that commit, the next attempt sends again with the same
    Message-ID, so mail systems can drop the copy.
    """
    config = settings.config
    transport = Transport.SMTP if config["SMTP_HOST"] else Transport.MAILBOX
    try:
        rendered = render_email(kind, locale, context, settings)
        message = (
            smtp.build_message(
                rendered,
                to=to,
                mail_from=config["MAIL_FROM"],
                shop_name=settings.shop_name,
                message_id=message_id,
                now=now,
            )
            if transport is Transport.SMTP
            else None
        )
    except ValueError as exc:  # no attempt will build it: failed at once, nothing logged
        raise PermanentJobError(str(exc)) from exc
    logged = {
        "outbox_message_id": message_id,
        "kind": kind,
        "to_address": to,
        "locale": locale,
        "subject": rendered.subject,
        "body": rendered.body,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "sent_at": now,
        "transport": transport,
    }
    if insert_row_unless_taken(session, SentEmail, logged, ("outbox_message_id",)) is None:
        log.info("e-mail of outbox message %s was sent before", message_id)
        return False
    if message is not None:
        smtp.send(smtp.SmtpSettings.from_config(config), message)
    return True


def email_customer(
    session: Session,
    now: datetime,
    order: Any,
    *,
    kind: str,
    locale: str,
    context: Mapping[str, Any],
    subject_type: str,
    subject_id: int,
) -> OutboxMessage | None:
    """Queue an e-mail to the order's customer, addressed by name; None if they have no address."""
    customer = order.customer
    if customer is None or not customer.email:
        return None
    return queue_email(
        session,
        now,
        kind=kind,
        to=customer.email,
        locale=locale,
        context={"customer_name": customer.name, **context},
        subject_type=subject_type,
        subject_id=subject_id,
    )
