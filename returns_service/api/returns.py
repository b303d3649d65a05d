"""The returns API: file a return, read it, and move it through the workflow."""

from __future__ import annotations

import json
from typing import Any

from flask import current_app, jsonify, request
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import func, select

from returns_service import idempotency
from returns_service.api.docs import IDEMPOTENCY_HEADER, SECURITY, documented_errors
from returns_service.auth.access import current_principal, require_roles
from returns_service.auth.models import Role
from returns_service.auth.tokens import Principal
from returns_service.errors import Forbidden, InvalidInput, NotFound
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.orders.models import Order
from returns_service.orders.numbers import number_variants
from returns_service.returns import exchanges, operations, side_effects
from returns_service.returns.models import Exchange, Pickup, ReturnRequest
from returns_service.returns.schemas import (
    ExchangeShippedSchema,
    InspectSchema,
    NoteSchema,
    ReceiveSchema,
    RejectSchema,
    ReturnCreateSchema,
    ReturnOut,
    ReturnQueryArgsSchema,
    ReturnSummaryOut,
)
from returns_service.returns.submission import present_return, submit_return
from returns_service.shop import ShopSettings, shop_settings

blp = Blueprint("returns", __name__, url_prefix="/api/v1/returns", description="Returns (RMAs)")


def _settings() -> ShopSettings:
    return shop_settings(current_app)


def _visible_return(rma: str, principal: Principal, *, lock: bool = False) -> ReturnRequest:
    return_request = operations.get_return(db.session, rma, lock=lock)
    if principal.role is None and return_request.order_id != principal.order_id:
        raise NotFound(f"no return {rma!r}")  # a customer cannot learn others' RMAs exist
    return return_request


def _create_input() -> tuple[dict[str, Any], dict[int, list[Any]]]:
    """The request body as JSON, or as multipart with a ``payload`` field and photos."""
    if request.mimetype == "multipart/form-data":
        raw = request.form.get("payload")
        if raw is None:
            raise InvalidInput(
                "a multipart request carries its JSON in a payload field", field="payload"
            )
        try:
            body = json.loads(raw)
        except ValueError:
            raise InvalidInput("the payload field is not JSON", field="payload") from None
        photos: dict[int, list[Any]] = {}
        for name in request.files:
            if not name.startswith("photo_") or not name[6:].isdigit():
                raise InvalidInput(
                    f"photo fields are named photo_<line_id>, not {name!r}", field=name
                )
            photos[int(name[6:])] = request.files.getlist(name)
        return body, photos
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object", field="json")
    return body, {}


@blp.route("")
class ReturnCollection(MethodView):
    """File returns; list them (the review queue is ``?status=review``)."""

    @require_roles(Role.AGENT, Role.WAREHOUSE)
    @blp.doc(security=SECURITY)
    @blp.arguments(ReturnQueryArgsSchema, location="query")
    @blp.response(200, ReturnSummaryOut(many=True))
    @blp.alt_response(401, description="No valid token")
    @blp.alt_response(403, description="Needs a staff role")
    @blp.alt_response(422, description="A filter is wrong")
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[ReturnRequest]:
        """Returns, oldest first, by status, order number, pickup or exchange state; paginated."""
        query = select(ReturnRequest).order_by(ReturnRequest.created_at, ReturnRequest.id)
        if args.get("status"):
            query = query.where(ReturnRequest.status.in_(args["status"]))
        if args.get("pickup_status"):
            query = query.where(ReturnRequest.pickup.has(Pickup.status == args["pickup_status"]))
        if args.get("exchange_status"):
            query = query.where(
                ReturnRequest.exchanges.any(Exchange.status == args["exchange_status"])
            )
        if args.get("order_number"):
            numbers = number_variants(args["order_number"])
            query = query.join(ReturnRequest.order).where(Order.number.in_(numbers))
        pagination_parameters.item_count = db.session.scalar(
            select(func.count()).select_from(query.order_by(None).subquery())
        )
        page, size = pagination_parameters.page, pagination_parameters.page_size
        return list(db.session.scalars(query.offset((page - 1) * size).limit(size)))

    @require_roles(Role.AGENT, customer=True)
    @blp.doc(
        security=SECURITY,
        parameters=[IDEMPOTENCY_HEADER],
        requestBody={
            "content": {
                "application/json": {"schema": ReturnCreateSchema},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"payload": {"type": "string"}},
                        "additionalProperties": {"type": "string", "format": "binary"},
                    }
                },
            }
        },
    )
    @blp.response(201, ReturnOut)
    @blp.alt_response(401, description="No valid token")
    @blp.alt_response(404, description="No such order or line")
    @blp.alt_response(409, description="More units than can still be returned")
    @blp.alt_response(422, description="A field is wrong; nothing was written")
    def post(self) -> Any:
        """File a return; the rules decide it at once."""
        principal = current_principal()
        body, uploads = _create_input()
        answer, status = submit_return(
            _settings(), principal, body, uploads, idempotency.header_key()
        )
        # Already dumped (it is also what a replay answers), so it passes through as is.
        return jsonify(answer), status


@blp.route("/<rma>")
class ReturnResource(MethodView):
    """One return."""

    @require_roles(Role.AGENT, Role.WAREHOUSE, customer=True)
    @blp.doc(security=SECURITY)
    @blp.response(200, ReturnOut)
    @blp.alt_response(401, description="No valid token")
    @blp.alt_response(404, description="No such return")
    def get(self, rma: str) -> Any:
        """The return's status, lines, refunds, pickup, exchanges and timeline."""
        principal = current_principal()
        return present_return(_settings(), _visible_return(rma, principal))


def _staff_action(rma: str) -> tuple[ReturnRequest, Principal]:
    principal = current_principal()
    if principal.role is None:
        raise Forbidden("only staff can do this")
    return _visible_return(rma, principal, lock=True), principal


def _done(return_request: ReturnRequest) -> Any:
    db.session.commit()
    return present_return(_settings(), return_request)


_COMMON = (
    (401, "No valid token"),
    (403, "The token's role may not do this"),
    (404, "No such return"),
    (409, "The return's state does not allow this"),
    (422, "A field is wrong"),
)


_documented = documented_errors(blp, _COMMON)


@blp.route("/<rma>/approve")
class ApproveReturn(MethodView):
    """A person approves."""

    @require_roles(Role.AGENT)
    @blp.arguments(NoteSchema)
    @blp.response(200, ReturnOut)
    @_documented
    def post(self, data: dict[str, Any], rma: str) -> Any:
        """Approve a return in review."""
        return_request, principal = _staff_action(rma)
        operations.approve(
            db.session,
            utcnow(),
            _settings(),
            return_request,
            actor=principal.actor,
            message=data["message"],
        )
        return _done(return_request)


@blp.route("/<rma>/reject")
class RejectReturn(MethodView):
    """A person rejects."""

    @require_roles(Role.AGENT)
    @blp.arguments(RejectSchema)
    @blp.response(200, ReturnOut)
    @_documented
    def post(self, data: dict[str, Any], rma: str) -> Any:
        """Reject a return, with the message the customer reads."""
        return_request, principal = _staff_action(rma)
        operations.reject(
            db.session, utcnow(), return_request, actor=principal.actor, message=data["message"]
        )
        return _done(return_request)


@blp.route("/<rma>/cancel")
class CancelReturn(MethodView):
    """Withdraw a return."""

    @require_roles(Role.AGENT, customer=True)
    @blp.arguments(NoteSchema)
    @blp.response(200, ReturnOut)
    @_documented
    def post(self, data: dict[str, Any], rma: str) -> Any:
        """Cancel a return that has not been sent yet (the customer may, too)."""
        principal = current_principal()
        return_request = _visible_return(rma, principal, lock=True)
        operations.cancel(
            db.session, utcnow(), return_request, actor=principal.actor, message=data["message"]
        )
        return _done(return_request)


@blp.route("/<rma>/receive")
class ReceiveReturn(MethodView):
    """The warehouse receives the parcel."""

    @require_roles(Role.WAREHOUSE)
    @blp.arguments(ReceiveSchema)
    @blp.response(200, ReturnOut)
    @_documented
    def post(self, data: dict[str, Any], rma: str) -> Any:
        """Record the units received, line by line."""
        return_request, principal = _staff_action(rma)
        received = {line["line_id"]: line["quantity"] for line in data["lines"]}
        operations.receive_lines(
            db.session, utcnow(), _settings(), return_request, received, actor=principal.actor
        )
        return _done(return_request)


@blp.route("/<rma>/inspect")
class InspectReturn(MethodView):
    """The warehouse inspects what came back."""

    @require_roles(Role.WAREHOUSE)
    @blp.arguments(InspectSchema)
    @blp.response(200, ReturnOut)
    @_documented
    def post(self, data: dict[str, Any], rma: str) -> Any:
        """Grade each line and choose its disposition; the return completes."""
        return_request, principal = _staff_action(rma)
        grades = {
            line["line_id"]: {
                "condition": line["condition"].value,
                "disposition": line["disposition"].value,
                "notes": line["notes"],
            }
            for line in data["lines"]
        }
        operations.inspect_lines(
            db.session, utcnow(), return_request, grades, actor=principal.actor
        )
        return _done(return_request)


@blp.route("/<rma>/exchanges/<int:exchange_id>/shipped")
class ExchangeShipped(MethodView):
    """The warehouse reports the replacement of an exchange as sent."""

    @require_roles(Role.WAREHOUSE, Role.INTEGRATION)
    @blp.arguments(ExchangeShippedSchema)
    @blp.response(200, ReturnOut)
    @_documented
    def post(self, data: dict[str, Any], rma: str, exchange_id: int) -> Any:
        """Record the replacement's carrier and tracking; the customer is e-mailed."""
        return_request, principal = _staff_action(rma)
        exchange = next((e for e in return_request.exchanges if e.id == exchange_id), None)
        if exchange is None:
            raise NotFound(f"return {rma} has no exchange {exchange_id}")
        exchanges.mark_shipped(
            db.session,
            utcnow(),
            exchange,
            carrier=data["carrier"],
            tracking_number=data["tracking_number"],
            actor=principal.actor,
        )
        return _done(return_request)


@blp.route("/<rma>/pickup/retry")
class RetryPickup(MethodView):
    """Book a carrier pickup that failed again."""

    @require_roles(Role.AGENT)
    @blp.response(200, ReturnOut)
    @_documented
    def post(self, rma: str) -> Any:
        """Put the failed pickup's booking back in line, with the same carrier reference."""
        return_request, principal = _staff_action(rma)
        side_effects.retry_pickup(db.session, utcnow(), return_request, actor=principal.actor)
        return _done(return_request)


@blp.route("/<rma>/exchanges/<int:exchange_id>/retry")
class RetryExchangeShipment(MethodView):
    """Hand a replacement whose shipment failed to the warehouse again."""

    @require_roles(Role.AGENT, Role.WAREHOUSE)
    @blp.response(200, ReturnOut)
    @_documented
    def post(self, rma: str, exchange_id: int) -> Any:
        """Put the failed handover of the replacement back in line."""
        return_request, principal = _staff_action(rma)
        side_effects.retry_exchange_shipment(
            db.session, utcnow(), return_request, exchange_id, actor=principal.actor
        )
        return _done(return_request)
