"""Refunds for staff: find the ones that failed or wait, mark manual ones done, retry failures."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from returns_service import outbox
from returns_service.auth.access import current_principal, require_roles
from returns_service.auth.models import Role
from returns_service.errors import Conflict, NotFound
from returns_service.events import record_event
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.money import format_money
from returns_service.orders.models import Order
from returns_service.refunds.models import Refund, RefundMethod, RefundStatus
from returns_service.refunds.operations import refundable_balance, settle_refund
from returns_service.refunds.providers import RETRIED, staff_retries
from returns_service.schemas import MoneyField

blp = Blueprint("refunds", __name__, url_prefix="/api/v1/refunds", description="Refunds")
SECURITY = [{"bearerAuth": []}]


class StaffRefundOut(Schema):
    """A refund as staff see it."""

    id = fields.Integer()
    order_number = fields.Function(lambda refund: refund.order.number)
    order_external_id = fields.Function(lambda refund: refund.order.external_id)
    rma = fields.Function(lambda r: r.return_request.rma if r.return_request else None)
    amount = MoneyField()
    method = fields.Enum(RefundMethod, by_value=True)
    provider = fields.String()
    status = fields.Enum(RefundStatus, by_value=True)
    failure_reason = fields.String()
    provider_reference = fields.String()
    created_at = fields.AwareDateTime()
    issued_at = fields.AwareDateTime()


class RefundQueryArgs(Schema):
    """Filters of the refunds list."""

    status = fields.Enum(RefundStatus, by_value=True, load_default=None)
    order = fields.String(load_default=None, metadata={"description": "The order's external id"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class MarkDoneSchema(Schema):
    """What staff did by hand."""

    reference = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=128),
        metadata={"description": "The payment system's reference of the refund"},
    )
    message = fields.String(load_default="", validate=validate.Length(max=2000))


class RetrySchema(Schema):
    """Why the refund is sent again."""

    message = fields.String(load_default="", validate=validate.Length(max=2000))


def _subject(refund: Refund) -> tuple[str, int]:
    if refund.return_id is not None:
        return "return", refund.return_id
    if refund.cancellation_id is not None:
        return "cancellation", refund.cancellation_id
    return "order", refund.order_id


def _record(session: Session, now: datetime, refund: Refund, kind: str, **data: Any) -> None:
    subject_type, subject_id = _subject(refund)
    record_event(
        session,
        subject_type=subject_type,
        subject_id=subject_id,
        order_id=refund.order_id,
        kind=kind,
        now=now,
        refund_id=refund.id,
        **data,
    )


def mark_refund_done(
    session: Session,
    now: datetime,
    refund: Refund,
    *,
    actor: str,
    reference: str | None = None,
    message: str = "",
) -> None:
    """Staff paid a manual refund by hand: it succeeds, and the customer is told."""
    if refund.provider != "manual" or refund.status is not RefundStatus.PROCESSING:
        raise Conflict(
            f"refund {refund.id} is a {refund.provider} refund in {refund.status.value}; "
            "only manual refunds waiting for staff (processing) are marked done"
        )
    if reference:
        refund.provider_reference = reference
    _record(session, now, refund, "refund.marked_done", actor=actor, message=message)
    settle_refund(session, now, refund, RefundStatus.SUCCEEDED, None)


def retry_refund(
    session: Session, now: datetime, refund: Refund, *, actor: str, message: str = ""
) -> None:
    """Send a failed refund to its provider again, under a new idempotency key.

    The attempt is the count of ``refund.retried`` events, which the providers turn into
    ``refund-<id>-<attempt>``. The order's refundable balance is checked again: other refunds
    may have been paid since this one failed.
    """
    if refund.status is not RefundStatus.FAILED:
        raise Conflict(f"refund {refund.id} is {refund.status.value}; only failed refunds retry")
    locked = select(Order).where(Order.id == refund.order_id).with_for_update()
    order = session.scalars(locked).one()
    balance = refundable_balance(session, order)
    if refund.amount > balance:
        raise Conflict(
            f"only {format_money(balance, order.currency)} of order {order.number} is left to "
            f"refund, less than this refund's {format_money(refund.amount, refund.currency)}"
        )
    _record(
        session,
        now,
        refund,
        RETRIED,
        actor=actor,
        message=message,
        attempt=staff_retries(session, refund) + 1,
        previous_reference=refund.provider_reference,
        previous_failure=refund.failure_reason,
    )
    refund.status = RefundStatus.PENDING
    # A late webhook about the failed attempt must not match the new one.
    refund.provider_reference = None
    refund.failure_reason = None
    outbox.record(session, "issue_refund", now, refund_id=refund.id)


def _refund(refund_id: int, *, lock: bool = False) -> Refund:
    refund = db.session.get(Refund, refund_id, with_for_update=lock)
    if refund is None:
        raise NotFound(f"no refund {refund_id}")
    return refund


_COMMON = (
    (401, "No valid token"),
    (403, "Needs the agent or admin role"),
    (404, "No such refund"),
    (409, "The refund's state does not allow this"),
    (422, "A field is wrong"),
)


def _documented(func: Any) -> Any:
    for status, text in _COMMON:
        func = blp.alt_response(status, description=text)(func)
    return blp.doc(security=SECURITY)(func)


@blp.route("")
class RefundCollection(MethodView):
    """Refunds across orders."""

    @require_roles(Role.AGENT)
    @blp.doc(security=SECURITY)
    @blp.arguments(RefundQueryArgs, location="query")
    @blp.response(200, StaffRefundOut(many=True))
    @blp.alt_response(401, description="No valid token")
    @blp.alt_response(403, description="Needs the agent or admin role")
    @blp.alt_response(422, description="A filter is wrong")
    def get(self, args: dict[str, Any]) -> list[Refund]:
        """Refunds, newest first, by status (``failed`` is the work queue) and order."""
        query = (
            select(Refund)
            .options(joinedload(Refund.order), joinedload(Refund.return_request))
            .order_by(Refund.created_at.desc(), Refund.id.desc())
            .limit(args["limit"])
        )
        if args["status"] is not None:
            query = query.where(Refund.status == args["status"])
        if args["order"]:
            query = query.join(Refund.order).where(Order.external_id == args["order"])
        return list(db.session.scalars(query))


@blp.route("/<int:refund_id>")
class RefundResource(MethodView):
    """One refund."""

    @require_roles(Role.AGENT)
    @blp.response(200, StaffRefundOut)
    @_documented
    def get(self, refund_id: int) -> Refund:
        """A refund with its status, provider reference and failure reason."""
        return _refund(refund_id)


@blp.route("/<int:refund_id>/mark-done")
class MarkRefundDone(MethodView):
    """Staff refunded by hand."""

    @require_roles(Role.AGENT)
    @blp.arguments(MarkDoneSchema)
    @blp.response(200, StaffRefundOut)
    @_documented
    def post(self, data: dict[str, Any], refund_id: int) -> Refund:
        """Mark a manual refund as paid; the customer gets the refund e-mail."""
        refund = _refund(refund_id, lock=True)
        mark_refund_done(
            db.session,
            utcnow(),
            refund,
            actor=current_principal().actor,
            reference=data["reference"],
            message=data["message"],
        )
        db.session.commit()
        return refund


@blp.route("/<int:refund_id>/retry")
class RetryRefund(MethodView):
    """Send a failed refund again."""

    @require_roles(Role.AGENT)
    @blp.arguments(RetrySchema)
    @blp.response(202, StaffRefundOut)
    @_documented
    def post(self, data: dict[str, Any], refund_id: int) -> Refund:
        """Put a failed refund back to pending; a job sends it under a new idempotency key."""
        refund = _refund(refund_id, lock=True)
        retry_refund(
            db.session, utcnow(), refund, actor=current_principal().actor, message=data["message"]
        )
        db.session.commit()
        return refund
