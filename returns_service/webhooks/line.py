"""LINE's Messaging API webhook: follow and unfollow, link codes, the status keyword."""

from __future__ import annotations

import json

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from returns_service import outbox
from returns_service.extensions import db
from returns_service.integrations.line import mapping, operations
from returns_service.models import utcnow

bp = Blueprint("line_webhooks", __name__)


@bp.post("/webhooks/line")
def receive() -> ResponseReturnValue:
    """Check ``X-Line-Signature``, then answer each event; LINE wants a 200 quickly."""
    body = request.get_data()
    config = current_app.config
    if not mapping.verify(
        config["LINE_CHANNEL_SECRET"], request.headers.get(mapping.SIGNATURE_HEADER), body
    ):
        return jsonify(message="the X-Line-Signature does not match"), 401
    try:
        events = mapping.events(json.loads(body))
    except (ValueError, AttributeError):
        return jsonify(message="the body is not a LINE webhook"), 400
    now = utcnow()
    status_url = config["PUBLIC_URL"]
    for event in events:
        if event.user_id is not None:
            _answer(db.session, now, event, config["DEFAULT_LOCALE"], status_url)
    db.session.commit()
    return jsonify(handled=len(events)), 200


def _answer(
    session: Session, now: object, event: mapping.Incoming, default_locale: str, url: str
) -> None:
    user_id = event.user_id or ""
    accounts = operations.accounts_of_user(session, user_id)
    locale = operations.locale_of(session, accounts) or default_locale
    texts: list[str] = []
    if event.kind == "follow":
        operations.set_following(session, user_id, True)
        texts = [mapping.text(locale, "welcome")]
    elif event.kind == "unfollow":
        operations.set_following(session, user_id, False)  # no reply token: nothing to say
    elif event.kind == "text" and (code := mapping.link_code(event.text)) is not None:
        account = operations.link(session, now, code, user_id)
        if account is None:
            texts = [mapping.text(locale, "unknown_code")]
        else:
            linked_locale = operations.locale_of(session, [account]) or locale
            texts = [mapping.text(linked_locale, "linked"), mapping.text(linked_locale, "help")]
    elif event.kind == "text" and mapping.asks_status(event.text):
        if not accounts:
            texts = [mapping.text(locale, "not_linked")]
        else:
            cases = operations.open_cases(session, [a.customer_id for a in accounts])
            texts = mapping.status_answer(locale, cases, url)
    elif event.kind == "text":
        texts = [mapping.text(locale, "help" if accounts else "not_linked")]
    if texts and event.reply_token:
        outbox.record(session, "line_reply", now, reply_token=event.reply_token, texts=texts)
