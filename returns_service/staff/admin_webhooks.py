"""Admin pages: outbound webhook endpoints (add, switch off and on), their deliveries that gave
up, and re-sending."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, redirect, request, url_for
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
from returns_service.notifications.outbound import allowed_http_hosts
from returns_service.notifications.webhook_failures import failed_deliveries, resend_failed
from returns_service.staff.admin_forms import EVENT_LABELS, NewEndpointForm
from returns_service.staff.admin_views import admin_render, in_one_transaction, no_store


def _page(status: int = 200, **context: Any) -> ResponseReturnValue:
    listed = list(db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))
    context.setdefault("form", NewEndpointForm(formdata=None))
    return admin_render(
        "staff/admin_webhooks.html",
        status,
        endpoints=listed,
        failed=failed_deliveries(db.session),
        event_labels=EVENT_LABELS,
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
    elif request.args.get("off"):
        notice = gettext("The endpoint is switched off: nothing is sent to it.")
    return _page(notice=notice)


@staff_required(Role.ADMIN)
def create_endpoint() -> ResponseReturnValue:
    """Add an endpoint, switched on; its signing secret is on this answer only."""
    form = NewEndpointForm()
    if not form.validate():
        return _page(422, form=form, error=gettext("Please check the fields marked below."))
    http_hosts = allowed_http_hosts(current_app.config["WEBHOOK_HTTP_HOSTS"])
    return in_one_transaction(
        lambda: endpoints.add_endpoint(db.session, utcnow(), form.endpoint_data(), http_hosts),
        lambda made: no_store(_page(201, shown_endpoint=made)),
        lambda status, error: _page(status, form=form, error=error),
        {422: gettext("Events cannot be sent to this address: give a public https address.")},
    )


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


def _switch(endpoint_id: int, active: bool) -> ResponseReturnValue:
    return in_one_transaction(
        lambda: endpoints.change_endpoint(
            endpoints.get_endpoint(db.session, endpoint_id), {"active": active}, ()
        ),
        lambda _: redirect(url_for("staff_pages.admin_webhooks", **{"on" if active else "off": 1})),
        lambda status, error: _page(status, error=error),
    )


@staff_required(Role.ADMIN)
def switch_on(endpoint_id: int) -> ResponseReturnValue:
    """Switch an endpoint on again, once its receiver is back."""
    return _switch(endpoint_id, True)


@staff_required(Role.ADMIN)
def switch_off(endpoint_id: int) -> ResponseReturnValue:
    """Stop sending to an endpoint, e.g. while its receiver is down for a while."""
    return _switch(endpoint_id, False)


def register(bp: Blueprint) -> None:
    """Add the webhook pages to the staff blueprint."""
    bp.add_url_rule("/admin/webhooks", view_func=admin_webhooks, methods=["GET"])
    bp.add_url_rule("/admin/webhooks", view_func=create_endpoint, methods=["POST"])
    bp.add_url_rule(
        "/admin/webhooks/<int:endpoint_id>/resend", view_func=resend_deliveries, methods=["POST"]
    )
    bp.add_url_rule(
        "/admin/webhooks/<int:endpoint_id>/switch-on", view_func=switch_on, methods=["POST"]
    )
    bp.add_url_rule(
        "/admin/webhooks/<int:endpoint_id>/switch-off", view_func=switch_off, methods=["POST"]
    )
