"""Refunds for staff: find the ones that failed or wait, mark manual ones done, retry failures."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from returns_service.api.docs import SECURITY, documented_errors
from returns_service.auth.access import current_principal, require_roles
from returns_service.auth.models import Role
from returns_service.errors import NotFound
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.orders.models import Order
from returns_service.refunds.models import Refund
from returns_service.refunds.operations import mark_refund_done, retry_refund
from returns_service.refunds.schemas import (
    MarkDoneSchema,
    RefundQueryArgs,
    RetrySchema,
    StaffRefundOut,
)

blp = Blueprint("refunds", __name__, url_prefix="/api/v1/refunds", description="Refunds")


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


_documented = documented_errors(blp, _COMMON)


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
