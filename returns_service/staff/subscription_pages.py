"""Staff pages: one subscription cancellation, its reason, the offers shown and the outcome.

The customer chooses in the flow; staff read it here, take it and leave notes.
"""

from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue

from returns_service.auth.staff_sessions import staff_required
from returns_service.errors import NotFound
from returns_service.extensions import db
from returns_service.pages import language
from returns_service.staff.case_context import case_parts
from returns_service.staff.views import render
from returns_service.subscriptions.models import SubscriptionCancellation
from returns_service.subscriptions.presenter import present


@staff_required()
def show_subscription(flow_id: int) -> ResponseReturnValue:
    """A subscription cancellation: reason, offers, outcome, the customer and history."""
    flow = db.session.get(SubscriptionCancellation, flow_id)
    if flow is None:
        raise NotFound(f"no subscription cancellation {flow_id}")
    return render(
        "staff/subscription.html",
        flow=flow,
        view=present(db.session, flow, language()),
        **case_parts(db.session, "subscription", flow.id, flow.order_id),
    )


def register(bp: Blueprint) -> None:
    """Add the subscription cancellation page to the staff blueprint."""
    bp.add_url_rule("/subscriptions/<int:flow_id>", view_func=show_subscription, methods=["GET"])
