"""Order ingestion API: put an order, read it, add or update a shipment."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from returns_service.api.docs import SECURITY
from returns_service.auth.access import current_principal, require_roles
from returns_service.auth.models import Role
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.orders import operations
from returns_service.orders.models import Order
from returns_service.orders.schemas import ORDER_UPSERT, OrderOut, ShipmentSchema
from returns_service.shop import shop_settings

blp = Blueprint(
    "orders", __name__, url_prefix="/api/v1/orders", description="Orders as the shop sends them"
)


@blp.route("/<external_id>")
class OrderResource(MethodView):
    """One order, addressed by the shop's id for it."""

    @require_roles(Role.INTEGRATION, Role.AGENT, Role.WAREHOUSE)
    @blp.doc(security=SECURITY)
    @blp.response(200, OrderOut)
    @blp.alt_response(401, description="No valid token")
    @blp.alt_response(403, description="The token's role may not read orders")
    @blp.alt_response(404, description="No such order")
    def get(self, external_id: str) -> Order:
        """Read an order with its customer, lines and shipments."""
        return operations.get_order(db.session, external_id)

    # The role check wraps the body parsing: a caller without a valid token gets 401 (or
    # 403), never the validation errors that would describe the API to a stranger.
    @require_roles(Role.INTEGRATION)
    @blp.doc(security=SECURITY)
    @blp.arguments(ORDER_UPSERT)
    @blp.response(200, OrderOut, description="The order was replaced")
    @blp.alt_response(201, schema=OrderOut, description="The order was created")
    @blp.alt_response(401, description="No valid token")
    @blp.alt_response(403, description="Needs the integration or admin role")
    @blp.alt_response(409, description="The order ships units cancelled and refunded")
    @blp.alt_response(422, description="A field is wrong; nothing was written")
    def put(self, data: dict[str, Any], external_id: str) -> tuple[Order, int]:
        """Create or replace an order with its customer, lines, shipments and payment."""
        principal = current_principal()
        order, outcome = operations.upsert_order(
            db.session, external_id, data, utcnow(), principal.actor, shop_settings(current_app)
        )
        db.session.commit()
        return order, 201 if outcome == "created" else 200


@blp.route("/<external_id>/shipments")
class ShipmentCollection(MethodView):
    """The shipments of one order."""

    @require_roles(Role.INTEGRATION)
    @blp.doc(security=SECURITY)
    @blp.arguments(ShipmentSchema)
    @blp.response(200, OrderOut)
    @blp.alt_response(401, description="No valid token")
    @blp.alt_response(403, description="Needs the integration or admin role")
    @blp.alt_response(404, description="No such order or line")
    @blp.alt_response(409, description="The parcel carries units cancelled and refunded")
    @blp.alt_response(422, description="A field is wrong; nothing was written")
    def post(self, data: dict[str, Any], external_id: str) -> Order:
        """Add a shipment or update one (matched by its external id) and its status.

        A parcel that leaves the warehouse refuses the order's cancellations still being
        decided; one carrying units already cancelled and refunded is refused (409).
        """
        order = operations.get_order(db.session, external_id, lock=True)
        operations.upsert_shipment(
            db.session, order, data, utcnow(), current_principal().actor, shop_settings(current_app)
        )
        db.session.commit()
        return order
