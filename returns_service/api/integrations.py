"""Admin API of the integrations: which are on, their last error; a stock sync on demand."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from returns_service import outbox
from returns_service.api.docs import SECURITY
from returns_service.auth.access import require_roles
from returns_service.auth.models import Role
from returns_service.compiled_schemas import Schema
from returns_service.errors import Conflict
from returns_service.extensions import db
from returns_service.integrations.reactions import enabled
from returns_service.integrations.status import integration_status
from returns_service.models import utcnow

blp = Blueprint(
    "integrations",
    __name__,
    url_prefix="/api/v1/integrations",
    description="Other systems the service talks to",
)


class IntegrationOut(Schema):
    """One integration: on or off, and what went wrong last."""

    name = fields.String()
    enabled = fields.Boolean()
    system = fields.String(allow_none=True)
    last_error = fields.String(allow_none=True)
    last_error_at = fields.AwareDateTime(allow_none=True)


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
        return integration_status(db.session, current_app.config)


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
