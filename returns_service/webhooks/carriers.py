"""Carrier tracking pushes: verified by the carrier's adapter, applied to returns and shipments."""

from __future__ import annotations

import logging
from http import HTTPStatus

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

import carriers
from returns_service.errors import Conflict, error_body
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.orders import guards
from returns_service.returns.parcels import apply_tracking, carrier_adapter
from returns_service.shop import shop_settings

log = logging.getLogger(__name__)
bp = Blueprint("carrier_webhooks", __name__)


@bp.post("/webhooks/carriers/<name>")
def receive_tracking(name: str) -> ResponseReturnValue:
    """Apply one tracking push from the configured carrier."""
    if name != current_app.config["CARRIER"]:
        body = error_body(HTTPStatus.NOT_FOUND, f"the shop does not use the carrier {name!r}")
        return jsonify(body), 404
    adapter = carrier_adapter(current_app.config)
    try:
        update = adapter.parse_webhook(dict(request.headers), request.get_data(cache=False))
    except carriers.WebhookSignatureError as exc:
        return jsonify(error_body(HTTPStatus.UNAUTHORIZED, str(exc))), 401
    except carriers.CarrierError as exc:
        return jsonify(error_body(HTTPStatus.UNPROCESSABLE_ENTITY, str(exc))), 422
    if update is None:
        return jsonify(status="ignored")
    try:
        applied = apply_tracking(db.session, utcnow(), update, shop_settings(current_app))
    except Conflict as exc:
        # A parcel carrying units cancelled and refunded: the carrier is answered 200 (it
        # would push the same scan again), and the refusal goes where staff see it.
        db.session.rollback()
        guards.note_refused(db.session, utcnow(), exc, actor=f"carrier:{name}")
        log.warning("tracking push refused: %s", exc.message)
        applied = "refused"
    db.session.commit()
    if applied == "unknown":
        log.info("tracking push for unknown tracking number %s", update.tracking_number)
    return jsonify(status=applied, tracking_status=update.status.value)
