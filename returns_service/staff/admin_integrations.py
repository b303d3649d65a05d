"""Admin pages: which integrations are on and their last error; no credential is shown."""

from __future__ import annotations

from flask import Blueprint, current_app
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from returns_service.auth.models import Role
from returns_service.auth.staff_sessions import staff_required
from returns_service.extensions import db
from returns_service.integrations.status import integration_status
from returns_service.staff.admin_views import admin_render

#: What admins read for each integration; the vendors' names are kept as they are.
INTEGRATION_LABELS = {
    "warehouse_system": (_l("Warehouse system"), ""),
    "shopify_returns": (_l("Return records in %(system)s"), "Shopify"),
    "zendesk": (_l("Tickets in %(system)s"), "Zendesk"),
    "line": (_l("Messages on %(system)s"), "LINE"),
}
#: The warehouse systems by their setting's value.
WAREHOUSE_SYSTEMS = {"webhooks": _l("Our signed webhooks"), "logiless": "LOGILESS"}


def _label(name: str) -> str:
    words, system = INTEGRATION_LABELS.get(name, (name, ""))
    return str(words) % {"system": system} if system else str(words)


@staff_required(Role.ADMIN)
def admin_integrations() -> ResponseReturnValue:
    """Each integration: on or off, the system chosen, and what went wrong last."""
    rows = integration_status(db.session, current_app.config)
    return admin_render(
        "staff/admin_integrations.html",
        integrations=rows,
        label=_label,
        warehouse_systems=WAREHOUSE_SYSTEMS,
    )


def register(bp: Blueprint) -> None:
    """Add the integrations page to the staff blueprint."""
    bp.add_url_rule("/admin/integrations", view_func=admin_integrations, methods=["GET"])
