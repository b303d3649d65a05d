"""Staff pages: one return, and what agents and the warehouse do with it."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, current_app, url_for
from flask.typing import ResponseReturnValue

from returns_service.auth.models import Role
from returns_service.auth.staff_sessions import staff_required
from returns_service.cases.read_model import case_of_return
from returns_service.errors import InvalidInput, NotFound
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.returns import exchanges, operations
from returns_service.returns.models import (
    LineOutcome,
    ReturnRequest,
    ReturnStatus,
)
from returns_service.returns.presenter import shown_decision
from returns_service.shop import shop_settings
from returns_service.staff.case_context import parts_of
from returns_service.staff.case_forms import SHOWN_ONLY, ShippedForm
from returns_service.staff.case_records import case_records
from returns_service.staff.forms import (
    ApproveForm,
    RejectForm,
    inspect_form,
    receive_form,
)
from returns_service.staff.return_rows import read_return
from returns_service.staff.views import act_then_show, render


def _receivable(return_request: ReturnRequest) -> list:
    """The lines the warehouse may record as arrived: approved ones, while the parcel is due."""
    if return_request.status not in (ReturnStatus.AWAITING_PARCEL, ReturnStatus.IN_TRANSIT):
        return []
    return [line for line in return_request.lines if line.outcome is LineOutcome.APPROVE]


def _inspectable(return_request: ReturnRequest) -> list:
    """The lines the warehouse may grade: received ones, once the parcel is in."""
    if return_request.status is not ReturnStatus.RECEIVED:
        return []
    return [line for line in return_request.lines if line.received_quantity > 0]


def _return_page(rma: str, status: int = 200, error: str = "") -> ResponseReturnValue:
    return_request, file, history = read_return(db.session.connection(), rma)
    records = case_records(db.session, "return", return_request.id)
    case = case_of_return(return_request, records.timeline, file)
    receivable, inspectable = _receivable(return_request), _inspectable(return_request)
    # Each form is built only where the page may show it.
    in_review = return_request.status is ReturnStatus.REVIEW
    return render(
        "staff/return.html",
        status,
        r=return_request,
        # In the customer's language, as they were told.
        decision=shown_decision(return_request, return_request.locale),
        refunds=records.refunds,
        shipped_form=ShippedForm(formdata=None, meta=SHOWN_ONLY)
        if return_request.exchanges
        else None,
        receivable=receivable,
        inspectable=inspectable,
        approve_form=ApproveForm(formdata=None, meta=SHOWN_ONLY) if in_review else None,
        reject_form=RejectForm(formdata=None, meta=SHOWN_ONLY) if in_review else None,
        receive_form=receive_form(receivable, SHOWN_ONLY) if receivable else None,
        inspect_form=inspect_form(inspectable, SHOWN_ONLY) if inspectable else None,
        error=error,
        **parts_of(case, return_request.order, records, history),
    )


@staff_required()
def show_return(rma: str) -> ResponseReturnValue:
    """A return: lines with the rules' decisions, refunds, pickup, history, and its forms."""
    return _return_page(rma)


def _act(rma: str, action: Callable[[ReturnRequest, str], None]) -> ResponseReturnValue:
    """Run an operation on the locked return, then show the return again."""
    return act_then_show(
        lambda: operations.get_return(db.session, rma, lock=True),
        action,
        lambda status, message: _return_page(rma, status, message),
        url_for("staff_pages.show_return", rma=rma),
    )


@staff_required(Role.AGENT)
def approve(rma: str) -> ResponseReturnValue:
    """Approve a return in review."""
    settings = shop_settings(current_app)
    form = ApproveForm()
    message = (form.message.data or "").strip()[:2000]
    return _act(
        rma,
        lambda r, actor: operations.approve(
            db.session, utcnow(), settings, r, actor=actor, message=message
        ),
    )


@staff_required(Role.AGENT)
def reject(rma: str) -> ResponseReturnValue:
    """Reject a return with the message the customer reads."""
    message = (RejectForm().message.data or "")[:2000]
    return _act(
        rma,
        lambda r, actor: operations.reject(db.session, utcnow(), r, actor=actor, message=message),
    )


@staff_required(Role.WAREHOUSE)
def receive(rma: str) -> ResponseReturnValue:
    """Record the units received, line by line."""

    def run(return_request: ReturnRequest, actor: str) -> None:
        # Every line is read: the operation, not the form, says which may be received now.
        received = receive_form(list(return_request.lines)).received()
        operations.receive_lines(
            db.session, utcnow(), shop_settings(current_app), return_request, received, actor=actor
        )

    return _act(rma, run)


@staff_required(Role.WAREHOUSE)
def inspect(rma: str) -> ResponseReturnValue:
    """Grade each received line and choose its disposition."""

    def run(return_request: ReturnRequest, actor: str) -> None:
        grades = inspect_form(list(return_request.lines)).grades()
        operations.inspect_lines(db.session, utcnow(), return_request, grades, actor=actor)

    return _act(rma, run)


@staff_required(Role.WAREHOUSE)
def shipped(rma: str, exchange_id: int) -> ResponseReturnValue:
    """The replacement of an exchange left the warehouse: its carrier and tracking."""
    form = ShippedForm()
    carrier = (form.carrier.data or "").strip()[:64]
    tracking = (form.tracking_number.data or "").strip()[:128] or None

    def run(return_request: ReturnRequest, actor: str) -> None:
        exchange = next((e for e in return_request.exchanges if e.id == exchange_id), None)
        if exchange is None:
            raise NotFound(f"return {rma} has no exchange {exchange_id}")
        if not carrier:
            raise InvalidInput("give the carrier", field="carrier")
        exchanges.mark_shipped(
            db.session, utcnow(), exchange, carrier=carrier, tracking_number=tracking, actor=actor
        )

    return _act(rma, run)


def register(bp: Blueprint) -> None:
    """Add the return page and its actions to the staff blueprint."""
    bp.add_url_rule("/returns/<rma>", view_func=show_return, methods=["GET"])
    for action in (approve, reject, receive, inspect):
        bp.add_url_rule(f"/returns/<rma>/{action.__name__}", view_func=action, methods=["POST"])
    bp.add_url_rule(
        "/returns/<rma>/exchanges/<int:exchange_id>/shipped", view_func=shipped, methods=["POST"]
    )
