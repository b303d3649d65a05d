"""Zendesk's webhook: an agent's public reply on a case's ticket goes on the case's timeline."""

from __future__ import annotations

import json

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from returns_service.events import record_event
from returns_service.extensions import db
from returns_service.integrations.links import find_by_external_id
from returns_service.integrations.zendesk import mapping
from returns_service.models import utcnow
from returns_service.orders.deliveries import first_delivery

bp = Blueprint("zendesk_webhooks", __name__)


@bp.post("/webhooks/zendesk")
def receive() -> ResponseReturnValue:
    """Check the signature, then keep a public agent reply once; others are acknowledged."""
    body = request.get_data()
    now = utcnow()
    if not mapping.verify(
        current_app.config["ZENDESK_WEBHOOK_SECRET"],
        request.headers.get(mapping.TIMESTAMP_HEADER),
        request.headers.get(mapping.SIGNATURE_HEADER),
        body,
        now,
    ):
        return jsonify(message="the Zendesk webhook signature does not match"), 401
    try:
        reply = mapping.agent_reply(json.loads(body))
    except ValueError:
        return jsonify(message="the body is not JSON"), 400
    if reply is None:
        return jsonify(kept=False), 200
    link = find_by_external_id(db.session, "zendesk", reply.ticket_id)
    if link is None:
        return jsonify(kept=False, message=f"no case has ticket {reply.ticket_id}"), 200
    delivery_id = f"{reply.ticket_id}:{reply.comment_id}"
    if not first_delivery(db.session, "zendesk", delivery_id, "comment", now):
        db.session.rollback()  # delivered before: kept once
        return jsonify(kept=False, repeated=True), 200
    record_event(
        db.session,
        subject_type=link.subject_type,
        subject_id=link.subject_id,
        kind="zendesk.agent_replied",
        actor=f"zendesk:{reply.author}" if reply.author else "zendesk",
        now=now,
        message=reply.body,
        ticket_id=reply.ticket_id,
        comment_id=reply.comment_id,
    )
    db.session.commit()
    return jsonify(kept=True), 200
