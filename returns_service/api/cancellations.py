"""The cancellations API: cancel an order or some lines, follow it, settle it."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import ValidationError
from sqlalchemy import select

from returns_service import idempotency
from returns_service.api.docs import IDEMPOTENCY_HEADER, SECURITY, documented_errors
from returns_service.auth.access import current_principal, require_roles
from returns_service.auth.models import Role
from returns_service.auth.tokens import Principal
from returns_service.cancellations import operations, review, side_effects, warehouse_answers
from returns_service.cancellations.models import Cancellation
from returns_service.cancellations.presenter import present
from returns_service.cancellations.schemas import (
    CancellationCreateSchema,
    CancellationOut,
    CancellationQueryArgs,
    CancellationSummaryOut,
    WarehouseResultSchema,
)
from returns_service.errors import Forbidden, InvalidInput, NotFound, Unauthorized
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.orders.access import locked_order_for
from returns_service.returns.schemas import NoteSchema, RejectSchema
from returns_service.shop import ShopSettings, shop_settings

blp = Blueprint(
    "cancellations",
    __name__,
    url_prefix="/api/v1/cancellations",
    description="Order and line cancellations",
)


#: Built once: a schema's fields (and its nested schemas') are set up when it is built.
_ANSWER = CancellationOut()


def _settings() -> ShopSettings:
    return shop_settings(current_app)


def _answer(
    cancellation: Cancellation, *, with_timeline: bool = True, filed_now: bool = False
) -> Any:
    return present(
        db.session,
        cancellation,
        operations.return_url(_settings()),
        with_timeline=with_timeline,
        filed_now=filed_now,
    )


def _visible(cancellation_id: int, principal: Principal) -> Cancellation:
    cancellation = operations.get_cancellation(db.session, cancellation_id)
    if principal.role is None and cancellation.order_id != principal.order_id:
        raise NotFound(f"no cancellation {cancellation_id}")  # nor that it exists
    return cancellation


@blp.route("")
class CancellationCollection(MethodView):
    """Cancel orders, and list cancellations for staff."""

    @require_roles(Role.AGENT, customer=True)
    @blp.doc(security=SECURITY, parameters=[IDEMPOTENCY_HEADER])
    @blp.arguments(CancellationCreateSchema)
    @blp.response(201, CancellationOut)
    @blp.alt_response(401, description="No valid token")
    @blp.alt_response(404, description="No such order or line")
    @blp.alt_response(
        409,
        description="The order has shipped (the answer holds return_url), nothing is left "
        "to cancel, or more units than can still be cancelled",
    )
    @blp.alt_response(422, description="A field is wrong; nothing was written")
    def post(self, data: dict[str, Any]) -> Any:
        """Cancel some lines, or the whole order; its progress in the warehouse decides how."""
        principal = current_principal()
        body = request.get_json()
        key = idempotency.header_key()
        order = locked_order_for(principal, data["order_number"], *operations.ORDER_LOADING)
        # Looked up under the order's lock, so a request sent twice at once runs once.
        scope = idempotency.caller_scope("cancellation", principal)
        if (stored := idempotency.replay_answer(scope, key, body)) is not None:
            return stored
        customer = order.customer
        cancellation = operations.request_cancellation(
            db.session,
            utcnow(),
            _settings(),
            order=order,
            lines=data["lines"],
            reason=data["reason"],
            comment=data["comment"],
            actor=principal.actor,
            locale=customer.locale if customer else _settings().locale,
        )
        db.session.flush()
        answer = _ANSWER.dump(_answer(cancellation, filed_now=True))
        idempotency.remember_answer(scope, key, body, answer, 201, utcnow())
        db.session.commit()
        return jsonify(answer), 201

    @require_roles(Role.AGENT, Role.WAREHOUSE)
    @blp.doc(security=SECURITY)
    @blp.arguments(CancellationQueryArgs, location="query")
    @blp.response(200, CancellationSummaryOut(many=True))
    @blp.alt_response(401, description="No valid token")
    @blp.alt_response(403, description="Needs the agent, warehouse or admin role")
    @blp.alt_response(422, description="A query argument is wrong")
    def get(self, args: dict[str, Any]) -> list[Any]:
        """The newest cancellations, for example those in review or failed at Shopify."""
        query = select(Cancellation).order_by(Cancellation.id.desc()).limit(args["limit"])
        if args["status"] is not None:
            query = query.where(Cancellation.status == args["status"])
        if args["shopify_failed"]:
            query = query.where(Cancellation.shopify_failure.is_not(None))
        return [_answer(c, with_timeline=False) for c in db.session.scalars(query)]


@blp.route("/<int:cancellation_id>")
class CancellationResource(MethodView):
    """One cancellation."""

    @require_roles(Role.AGENT, Role.WAREHOUSE, Role.INTEGRATION, customer=True)
    @blp.doc(security=SECURITY)
    @blp.response(200, CancellationOut)
    @blp.alt_response(401, description="No valid token")
    @blp.alt_response(404, description="No such cancellation")
    def get(self, cancellation_id: int) -> Any:
        """The cancellation's status, lines, refund and timeline."""
        return _answer(_visible(cancellation_id, current_principal()))


def _warehouse_actor() -> tuple[str, str | None]:
    """Who answers for the warehouse, and the signed delivery's id (None for a token)."""
    signature = request.headers.get("X-Returns-Signature")
    if signature is not None:
        delivery_id = request.headers.get(warehouse_answers.DELIVERY_HEADER, "")
        if not 0 < len(delivery_id) <= 128:
            raise Unauthorized(
                f"a signed answer needs {warehouse_answers.DELIVERY_HEADER} (1 to 128 characters)"
            )
        matches = warehouse_answers.signature_matches(
            current_app.config["WAREHOUSE_WEBHOOK_SECRET"],
            signature,
            method=request.method,
            path=request.path,
            delivery_id=delivery_id,
            body=request.get_data(),
            now=utcnow(),
        )
        if not matches:
            raise Unauthorized("the X-Returns-Signature does not match this request")
        return "warehouse", delivery_id
    principal = current_principal()
    allowed = (Role.ADMIN, Role.AGENT, Role.WAREHOUSE, Role.INTEGRATION)
    if principal.role not in allowed:
        raise Forbidden("this needs a warehouse, integration or agent token, or a signature")
    return principal.actor, None


@blp.route("/<int:cancellation_id>/warehouse-result")
class WarehouseResult(MethodView):
    """The warehouse's answer to a stop request."""

    @blp.doc(
        security=[*SECURITY, {}],
        description="Authenticated by a token (integration, warehouse or agent role) or by "
        "`X-Returns-Delivery: <id>` and `X-Returns-Signature: t=<unix time>,v1=<hex "
        'HMAC-SHA256 of "<t>.<METHOD>\\n<path>\\n<delivery id>\\n<body>">` with '
        "RETURNS_WAREHOUSE_WEBHOOK_SECRET. A delivery id is applied once; a repeated answer "
        "changes nothing.",
        requestBody={"content": {"application/json": {"schema": WarehouseResultSchema}}},
    )
    @blp.response(200, CancellationOut)
    @blp.alt_response(401, description="No valid token or signature")
    @blp.alt_response(403, description="The token's role may not answer for the warehouse")
    @blp.alt_response(404, description="No such cancellation")
    @blp.alt_response(409, description="The cancellation is not waiting for the warehouse")
    @blp.alt_response(422, description="A field is wrong; nothing was written")
    def post(self, cancellation_id: int) -> Any:
        """Stopped: cancel and refund. Not stopped: the customer is offered a return."""
        actor, delivery_id = _warehouse_actor()  # first: strangers learn nothing of the body
        try:
            data = WarehouseResultSchema().load(request.get_json(silent=True) or {})
        except ValidationError as exc:
            raise InvalidInput("the answer is not valid", errors={"json": exc.messages}) from None
        cancellation = operations.lock_for_settling(db.session, cancellation_id)
        if delivery_id and not warehouse_answers.first_delivery(db.session, delivery_id, utcnow()):
            return _answer(cancellation)  # this delivery was applied already
        review.record_warehouse_result(
            db.session,
            utcnow(),
            _settings(),
            cancellation,
            stopped=data["stopped"],
            actor=actor,
            note=data["note"],
        )
        db.session.commit()
        return _answer(cancellation)


_STAFF_ERRORS = (
    (401, "No valid token"),
    (403, "Needs the agent or admin role"),
    (404, "No such cancellation"),
    (409, "The cancellation is not in review, or the order has moved on"),
    (422, "A field is wrong"),
)


_documented = documented_errors(blp, _STAFF_ERRORS)


def _decided(cancellation_id: int, decide: Any, message: str) -> Any:
    """Lock, let a person's decision (``review.approve`` or ``reject``) run, commit."""
    cancellation = operations.lock_for_settling(db.session, cancellation_id)
    decide(
        db.session,
        utcnow(),
        _settings(),
        cancellation,
        actor=current_principal().actor,
        message=message,
    )
    db.session.commit()
    return _answer(cancellation)


@blp.route("/<int:cancellation_id>/approve")
class ApproveCancellation(MethodView):
    """A person lets a cancellation in review go ahead."""

    @require_roles(Role.AGENT)
    @blp.arguments(NoteSchema)
    @blp.response(200, CancellationOut)
    @_documented
    def post(self, data: dict[str, Any], cancellation_id: int) -> Any:
        """Approve; after a stop that timed out, this says the warehouse did stop it."""
        return _decided(cancellation_id, review.approve, data["message"])


@blp.route("/<int:cancellation_id>/reject")
class RejectCancellation(MethodView):
    """A person turns a cancellation in review down."""

    @require_roles(Role.AGENT)
    @blp.arguments(RejectSchema)
    @blp.response(200, CancellationOut)
    @_documented
    def post(self, data: dict[str, Any], cancellation_id: int) -> Any:
        """Reject, with the customer's message; after a stop that timed out, it shipped."""
        return _decided(cancellation_id, review.reject, data["message"])


@blp.route("/<int:cancellation_id>/shopify/retry")
class RetryShopifyCancel(MethodView):
    """Cancel the order at Shopify again after that gave up."""

    @require_roles(Role.AGENT)
    @blp.response(200, CancellationOut)
    @_documented
    def post(self, cancellation_id: int) -> Any:
        """Put the failed cancellation at Shopify back in line."""
        cancellation = operations.lock_for_settling(db.session, cancellation_id)
        side_effects.retry_shopify_cancel(
            db.session, utcnow(), cancellation, actor=current_principal().actor
        )
        db.session.commit()
        return _answer(cancellation)
