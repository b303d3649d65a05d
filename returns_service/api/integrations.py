"""Admin API of the integrations: which are on, their last error; a stock sync on demand."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import select

from returns_service import outbox
from returns_service.api.docs import SECURITY
from returns_service.auth.access import require_roles
from returns_service.auth.models import Role
from returns_service.errors import Conflict
from returns_service.extensions import db
from returns_service.integrations.reactions import enabled
from returns_service.models import utcnow
from returns_service.outbox import OutboxMessage

blp = Blueprint(
    "integrations",
    __name__,
    url_prefix="/api/v1/integrations",
    description="Other systems the service talks to",
)

#: The outbox jobs and link systems that belong to each integration.
JOBS = {
    "warehouse_system": (
        "warehouse_send_shipment",
        "warehouse_stop_shipment",
        "warehouse_cancel_order",
        "warehouse_expect_return",
        "warehouse_sync_stock",
    ),
    "shopify_returns": ("sync_shopify_return",),
    "zendesk": ("zendesk_open_ticket", "zendesk_add_note", "zendesk_solve_ticket"),
    "line": ("push_line_message", "line_reply"),
}


class IntegrationOut(Schema):
    """One integration: on or off, and what went wrong last."""

    name = fields.String()
    enabled = fields.Boolean()
    system = fields.String(allow_none=True)
    last_error = fields.String(allow_none=True)
    last_error_at = fields.AwareDateTime(allow_none=True)


def _last_error(jobs: tuple[str, ...]) -> tuple[str | None, Any]:
    message = db.session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.job.in_(jobs), OutboxMessage.last_error.is_not(None))
        .order_by(OutboxMessage.created_at.desc())
        .limit(1)
    )
    if message is None:
        return None, None
    return message.last_error, message.finished_at or message.run_after


@blp.route("")
class Integrations(MethodView):
    """The integrations and their health."""

    @require_roles(Role.ADMIN)
    @blp.doc(security=SECURITY)
    @blp.response(200, IntegrationOut(many=True))
    @blp.alt_response(401, description="No valid token")
    @blp.alt_response(403, description="Needs the admin role")
    def get(self) -> list[dict[str, Any]]:
        """List the integrations, whether each is on, and its last error (no credentials)."""
        config = current_app.config
        answer = []
        for name, on in enabled(config).items():
            error, at = _last_error(JOBS[name])
            system = config["WAREHOUSE_SYSTEM"] if name == "warehouse_system" else name
            answer.append(
                {
                    "name": name,
                    "enabled": on,
                    "system": system,
                    "last_error": error,
                    "last_error_at": at,
                }
            )
        return answer


@blp.route("/warehouse/stock-sync")
class StockSync(MethodView):
    """Read stock per SKU from the warehouse system now."""

    @require_roles(Role.ADMIN)
    @blp.doc(security=SECURITY)
    @blp.response(202, IntegrationOut)
    @blp.alt_response(401, description="No valid token")
    @blp.alt_response(403, description="Needs the admin role")
    @blp.alt_response(409, description="No warehouse system is configured")
    def post(self) -> dict[str, Any]:
        """Queue a stock sync; it runs as a background job."""
        config = current_app.config
        if not enabled(config)["warehouse_system"]:
            raise Conflict("no warehouse system is configured (RETURNS_WAREHOUSE_SYSTEM)")
        outbox.record(db.session, "warehouse_sync_stock", utcnow())
        db.session.commit()
        return {"name": "warehouse_system", "enabled": True, "system": config["WAREHOUSE_SYSTEM"]}
