"""Staff pages: one order cancellation, the warehouse's answer taken by hand, the decision.

Each action locks the order then the cancellation (as the API does), runs the
cancellations' own operation and commits once.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, current_app, url_for
from flask.typing import ResponseReturnValue

from returns_service.auth.models import Role
from returns_service.auth.staff_sessions import staff_required
from returns_service.cancellations import operations, review
from returns_service.cancellations.models import Cancellation, CancellationStatus
from returns_service.cancellations.presenter import present
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.shop import ShopSettings, shop_settings
from returns_service.staff.case_context import case_parts
from returns_service.staff.case_forms import WarehouseAnswerForm
from returns_service.staff.forms import ApproveForm, RejectForm
from returns_service.staff.views import act_then_show, render


def _settings() -> ShopSettings:
    return shop_settings(current_app)


def _waiting_for_warehouse(cancellation: Cancellation) -> bool:
    """A stop was asked for and not answered (waiting, or timed out into review)."""
    return cancellation.status is CancellationStatus.PENDING_STOP or (
        cancellation.status is CancellationStatus.REVIEW
        and cancellation.stop_requested_at is not None
    )


def _page(cancellation_id: int, status: int = 200, error: str = "") -> ResponseReturnValue:
    cancellation = operations.get_cancellation(db.session, cancellation_id)
    view = present(db.session, cancellation, operations.return_url(_settings()))
    return render(
        "staff/cancellation.html",
        status,
        c=cancellation,
        view=view,
        waiting_for_warehouse=_waiting_for_warehouse(cancellation),
        answer_form=WarehouseAnswerForm(formdata=None),
        approve_form=ApproveForm(formdata=None),
        reject_form=RejectForm(formdata=None),
        error=error,
        **case_parts(db.session, "cancellation", cancellation.id, cancellation.order_id),
    )


@staff_required()
def show_cancellation(cancellation_id: int) -> ResponseReturnValue:
    """A cancellation: lines, decision, refund, the customer, history and its forms."""
    return _page(cancellation_id)


def _act(cancellation_id: int, action: Callable[[Cancellation, str], None]) -> ResponseReturnValue:
    return act_then_show(
        lambda: operations.lock_for_settling(db.session, cancellation_id),
        action,
        lambda status, message: _page(cancellation_id, status, message),
        url_for("staff_pages.show_cancellation", cancellation_id=cancellation_id),
    )


@staff_required(Role.AGENT, Role.WAREHOUSE)
def warehouse_answer(cancellation_id: int) -> ResponseReturnValue:
    """Record what the warehouse said: stopped in time, or too late."""
    form = WarehouseAnswerForm()
    stopped = form.answer.data == "stopped"
    note = (form.note.data or "").strip()[:2000]
    return _act(
        cancellation_id,
        lambda c, actor: review.record_warehouse_result(
            db.session, utcnow(), _settings(), c, stopped=stopped, actor=actor, note=note
        ),
    )


@staff_required(Role.AGENT)
def approve_cancellation(cancellation_id: int) -> ResponseReturnValue:
    """Let a cancellation in review go ahead."""
    message = (ApproveForm().message.data or "").strip()[:2000]
    return _act(
        cancellation_id,
        lambda c, actor: review.approve(
            db.session, utcnow(), _settings(), c, actor=actor, message=message
        ),
    )


@staff_required(Role.AGENT)
def reject_cancellation(cancellation_id: int) -> ResponseReturnValue:
    """Turn a cancellation in review down with the message the customer reads."""
    message = (RejectForm().message.data or "")[:2000]
    return _act(
        cancellation_id,
        lambda c, actor: review.reject(
            db.session, utcnow(), _settings(), c, actor=actor, message=message
        ),
    )


def register(bp: Blueprint) -> None:
    """Add the cancellation page and its actions to the staff blueprint."""
    base = "/cancellations/<int:cancellation_id>"
    bp.add_url_rule(base, view_func=show_cancellation, methods=["GET"])
    bp.add_url_rule(f"{base}/warehouse-answer", view_func=warehouse_answer, methods=["POST"])
    bp.add_url_rule(f"{base}/approve", view_func=approve_cancellation, methods=["POST"])
    bp.add_url_rule(f"{base}/reject", view_func=reject_cancellation, methods=["POST"])
