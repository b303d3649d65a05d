"""Admin pages: outbound webhook endpoints, their deliveries that gave up, and re-sending."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext, ngettext
from sqlalchemy import select

from returns_service.auth.models import Role
from returns_service.auth.staff_sessions import staff_required
from returns_service.errors import Conflict
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.notifications import endpoints
from returns_service.notifications.models import WebhookEndpoint
from returns_service.notifications.webhook_failures import failed_deliveries, resend_failed
from returns_service.staff.admin_views import admin_render, in_one_transaction


def _page(status: int = 200, **context: Any) -> ResponseReturnValue:
    listed = list(db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))
    return admin_render(
        "staff/admin_webhooks.html",
        status,
        endpoints=listed,
        failed=failed_deliveries(db.session),
        **context,
    )


@staff_required(Role.ADMIN)
def admin_webhooks() -> ResponseReturnValue:
    """Every endpoint (never its secret), on or off, with the deliveries that gave up."""
    resent = request.args.get("resent", type=int)
    notice = ""
    if resent is not None:
        notice = ngettext(
            "%(num)d delivery is sent again.", "%(num)d deliveries are sent again.", resent
        )
    elif request.args.get("on"):
        notice = gettext("The endpoint is switched on.")
    return _page(notice=notice)


def _resend(endpoint_id: int) -> list[str]:
    endpoint = endpoints.get_endpoint(db.session, endpoint_id)
    if not endpoint.active:
        raise Conflict(f"webhook endpoint {endpoint_id} is switched off: switch it on first")
    return resend_failed(db.session, utcnow(), endpoint)


@staff_required(Role.ADMIN)
def resend_deliveries(endpoint_id: int) -> ResponseReturnValue:
    """Send every delivery of the endpoint that gave up again, with its own delivery id."""
    return in_one_transaction(
        lambda: _resend(endpoint_id),
        lambda resent: redirect(url_for("staff_pages.admin_webhooks", resent=len(resent))),
        lambda status, error: _page(status, error=error),
        {409: gettext("The endpoint is switched off: switch it on first.")},
    )


@staff_required(Role.ADMIN)
def switch_on(endpoint_id: int) -> ResponseReturnValue:
    """Switch an endpoint on again, once its receiver is back."""
    return in_one_transaction(
        lambda: endpoints.change_endpoint(
            endpoints.get_endpoint(db.session, endpoint_id), {"active": True}, ()
        ),
        lambda _: redirect(url_for("staff_pages.admin_webhooks", on=1)),
        lambda status, error: _page(status, error=error),
    )


def register(bp: Blueprint) -> None:
    """Add the webhook pages to the staff blueprint."""
    bp.add_url_rule("/admin/webhooks", view_func=admin_webhooks, methods=["GET"])
    bp.add_url_rule(
        "/admin/webhooks/<int:endpoint_id>/resend", view_func=resend_deliveries, methods=["POST"]
    )
    bp.add_url_rule(
        "/admin/webhooks/<int:endpoint_id>/switch-on", view_func=switch_on, methods=["POST"]
    )
