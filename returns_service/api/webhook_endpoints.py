"""Admin API of outbound webhooks: endpoints and their delivery log."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from returns_service.api.docs import SECURITY
from returns_service.auth.access import require_roles
from returns_service.errors import Conflict
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.notifications import endpoints
from returns_service.notifications.models import WebhookDelivery, WebhookEndpoint
from returns_service.notifications.outbound import allowed_http_hosts
from returns_service.notifications.schemas import (
    DeliveryQueryArgsSchema,
    ResentOut,
    WebhookDeliveryOut,
    WebhookEndpointCreatedOut,
    WebhookEndpointCreateSchema,
    WebhookEndpointOut,
    WebhookEndpointUpdateSchema,
)
from returns_service.notifications.webhook_failures import resend_failed

blp = Blueprint(
    "webhook_endpoints",
    __name__,
    url_prefix="/api/v1/webhooks/endpoints",
    description="Outbound webhooks: where events are sent, and how delivery went",
)

# require_roles() without roles admits admins only. It wraps the body parsing, so a caller
# without a valid token gets 401 or 403, never validation errors describing the API.


def _endpoint(endpoint_id: int) -> WebhookEndpoint:
    return endpoints.get_endpoint(db.session, endpoint_id)


def _http_hosts() -> frozenset[str]:
    return allowed_http_hosts(current_app.config["WEBHOOK_HTTP_HOSTS"])


@blp.route("")
class EndpointCollection(MethodView):
    """All webhook endpoints."""

    @require_roles()
    @blp.doc(security=SECURITY)
    @blp.response(200, WebhookEndpointOut(many=True))
    @blp.alt_response(401, description="No valid token")
    @blp.alt_response(403, description="Needs the admin role")
    def get(self) -> list[WebhookEndpoint]:
        """List webhook endpoints, oldest first."""
        return list(db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))

    @require_roles()
    @blp.doc(security=SECURITY)
    @blp.arguments(WebhookEndpointCreateSchema)
    @blp.response(201, WebhookEndpointCreatedOut)
    @blp.alt_response(401, description="No valid token")
    @blp.alt_response(403, description="Needs the admin role")
    @blp.alt_response(422, description="A field is wrong; nothing was written")
    def post(self, data: dict[str, Any]) -> WebhookEndpoint:
        """Add an endpoint. The answer holds its signing secret: this is the only time."""
        endpoint = endpoints.add_endpoint(db.session, utcnow(), data, _http_hosts())
        db.session.commit()
        return endpoint


@blp.route("/<int:endpoint_id>")
class EndpointResource(MethodView):
    """One webhook endpoint."""

    @require_roles()
    @blp.doc(security=SECURITY)
    @blp.arguments(WebhookEndpointUpdateSchema)
    @blp.response(200, WebhookEndpointOut)
    @blp.alt_response(401, description="No valid token")
    @blp.alt_response(403, description="Needs the admin role")
    @blp.alt_response(404, description="No such endpoint")
    @blp.alt_response(422, description="A field is wrong; nothing was written")
    def put(self, data: dict[str, Any], endpoint_id: int) -> WebhookEndpoint:
        """Change an endpoint; fields left out keep their value. A new secret is not echoed."""
        endpoint = endpoints.change_endpoint(_endpoint(endpoint_id), data, _http_hosts())
        db.session.commit()
        return endpoint

    @require_roles()
    @blp.doc(security=SECURITY)
    @blp.response(204)
    @blp.alt_response(401, description="No valid token")
    @blp.alt_response(403, description="Needs the admin role")
    @blp.alt_response(404, description="No such endpoint")
    def delete(self, endpoint_id: int) -> None:
        """Remove an endpoint and its delivery log; deliveries still queued are dropped."""
        endpoints.remove_endpoint(db.session, _endpoint(endpoint_id))
        db.session.commit()


@blp.route("/<int:endpoint_id>/deliveries")
class EndpointDeliveries(MethodView):
    """The delivery log of one endpoint."""

    @require_roles()
    @blp.doc(security=SECURITY)
    @blp.arguments(DeliveryQueryArgsSchema, location="query")
    @blp.response(200, WebhookDeliveryOut(many=True))
    @blp.alt_response(401, description="No valid token")
    @blp.alt_response(403, description="Needs the admin role")
    @blp.alt_response(404, description="No such endpoint")
    @blp.alt_response(422, description="A query argument is wrong")
    def get(self, args: dict[str, Any], endpoint_id: int) -> list[WebhookDelivery]:
        """List delivery attempts, newest first."""
        endpoint = _endpoint(endpoint_id)
        query = (
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id)
            .order_by(WebhookDelivery.attempted_at.desc(), WebhookDelivery.id.desc())
            .limit(args["limit"])
        )
        return list(db.session.scalars(query))


@blp.route("/<int:endpoint_id>/deliveries/resend")
class ResendFailedDeliveries(MethodView):
    """Deliveries that failed for good, sent again."""

    @require_roles()
    @blp.doc(security=SECURITY)
    @blp.response(202, ResentOut)
    @blp.alt_response(401, description="No valid token")
    @blp.alt_response(403, description="Needs the admin role")
    @blp.alt_response(404, description="No such endpoint")
    @blp.alt_response(409, description="The endpoint is switched off")
    def post(self, endpoint_id: int) -> dict[str, Any]:
        """Re-send every failed delivery of an active endpoint, with its original delivery id."""
        endpoint = _endpoint(endpoint_id)
        if not endpoint.active:
            raise Conflict(f"webhook endpoint {endpoint_id} is switched off: switch it on first")
        resent = resend_failed(db.session, utcnow(), endpoint)
        db.session.commit()
        return {"resent": resent}
