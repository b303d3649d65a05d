"""The subscriptions API: the cancellation flow with save offers, its settings and numbers."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request
from flask.views import MethodView
from flask_smorest import Blueprint

from returns_service import idempotency
from returns_service.api.docs import IDEMPOTENCY_HEADER, SECURITY
from returns_service.auth.access import current_principal, require_roles
from returns_service.auth.models import Role
from returns_service.auth.tokens import Principal
from returns_service.errors import NotFound
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.orders.models import Order
from returns_service.shop import ShopSettings, shop_settings
from returns_service.subscriptions import operations
from returns_service.subscriptions.models import CancelReason, SubscriptionCancellation
from returns_service.subscriptions.offers import (
    OfferListSchema,
    offers_for,
    replace_offers,
    reset_offers,
)
from returns_service.subscriptions.presenter import present
from returns_service.subscriptions.schemas import (
    AcceptSchema,
    ConfirmSchema,
    FlowOut,
    FlowStartSchema,
    ReasonOffersOut,
    SaveRateArgs,
    SaveRatesOut,
)

blp = Blueprint(
    "subscriptions",
    __name__,
    url_prefix="/api/v1/subscriptions",
    description="Subscription cancellations with save offers",
)


def _settings() -> ShopSettings:
    return shop_settings(current_app)


def _check_access(principal: Principal, reference: str) -> None:
    """A customer reaches the subscription of the order their token opens, and no other."""
    if principal.role is not None:
        return
    own = db.session.get(Order, principal.order_id)
    if own is None or not own.is_subscription or own.subscription_reference != reference:
        raise NotFound(f"no subscription {reference!r}")  # nor that it exists


def _locale(order: Order) -> str:
    customer = order.customer
    return customer.locale if customer else _settings().locale


def _answer(flow: SubscriptionCancellation) -> Any:
    return present(db.session, flow, flow.locale)


_FLOW_ERRORS = (
    (401, "No valid token"),
    (404, "No such subscription, or no cancellation under way"),
    (409, "The cancellation was already accepted, confirmed or replaced"),
    (422, "A field is wrong; nothing was written"),
)


def _documented(func: Any) -> Any:
    for status, text in _FLOW_ERRORS:
        func = blp.alt_response(status, description=text)(func)
    return blp.doc(security=SECURITY)(func)


@blp.route("/<reference>/cancellation")
class FlowResource(MethodView):
    """A subscription's cancellation flow."""

    @require_roles(Role.AGENT, customer=True)
    @blp.doc(parameters=[IDEMPOTENCY_HEADER])
    @blp.arguments(FlowStartSchema)
    @blp.response(201, FlowOut)
    @_documented
    def post(self, data: dict[str, Any], reference: str) -> Any:
        """Start cancelling: the reason decides which offers are made instead."""
        principal = current_principal()
        _check_access(principal, reference)
        body = request.get_json()
        key = idempotency.header_key()
        order = operations.latest_order(db.session, reference, lock=True)
        scope = idempotency.caller_scope("subscription", principal)
        if (stored := idempotency.replay_answer(scope, key, body)) is not None:
            return stored
        flow = operations.start(
            db.session,
            utcnow(),
            _settings(),
            order=order,
            reason=data["reason"],
            comment=data["comment"],
            next_delivery=data["next_delivery_date"],
            actor=principal.actor,
            locale=_locale(order),
        )
        answer = FlowOut().dump(_answer(flow))
        idempotency.remember_answer(scope, key, body, answer, 201, utcnow())
        db.session.commit()
        return jsonify(answer), 201

    @require_roles(Role.AGENT, customer=True)
    @blp.response(200, FlowOut)
    @_documented
    def get(self, reference: str) -> Any:
        """The newest cancellation flow of the subscription, with its timeline."""
        _check_access(current_principal(), reference)
        return _answer(operations.current_flow(db.session, reference))


@blp.route("/<reference>/cancellation/accept")
class AcceptOffer(MethodView):
    """The customer takes an offer."""

    @require_roles(Role.AGENT, customer=True)
    @blp.arguments(AcceptSchema)
    @blp.response(200, FlowOut)
    @_documented
    def post(self, data: dict[str, Any], reference: str) -> Any:
        """Accept one of the offers shown: skip, pause, switch or discount."""
        principal = current_principal()
        _check_access(principal, reference)
        flow = operations.current_flow(db.session, reference, lock=True)
        operations.accept(
            db.session,
            utcnow(),
            flow,
            offer_id=data["offer_id"],
            months=data["months"],
            product=data["product"],
            actor=principal.actor,
        )
        db.session.commit()
        return _answer(flow)


@blp.route("/<reference>/cancellation/confirm")
class ConfirmCancellation(MethodView):
    """The customer turns the offers down."""

    @require_roles(Role.AGENT, customer=True)
    @blp.arguments(ConfirmSchema)
    @blp.response(200, FlowOut)
    @_documented
    def post(self, data: dict[str, Any], reference: str) -> Any:
        """Confirm the cancellation: the subscription ends."""
        principal = current_principal()
        _check_access(principal, reference)
        flow = operations.current_flow(db.session, reference, lock=True)
        operations.confirm(db.session, utcnow(), flow, actor=principal.actor)
        db.session.commit()
        return _answer(flow)


def _reason_offers(reason: CancelReason) -> dict[str, Any]:
    offers, chosen = offers_for(db.session, reason)
    return {
        "reason": reason.value,
        "offers": offers,
        "customised": chosen is not None,
        "updated_by": chosen.updated_by if chosen else None,
        "updated_at": chosen.updated_at if chosen else None,
    }


def _reason(value: str) -> CancelReason:
    try:
        return CancelReason(value)
    except ValueError:
        known = ", ".join(r.value for r in CancelReason)
        raise NotFound(f"no reason {value!r}; the reasons are {known}") from None


@blp.route("/offers")
class OfferSettings(MethodView):
    """The offers of every reason."""

    @require_roles(Role.AGENT)
    @blp.doc(security=SECURITY)
    @blp.response(200, ReasonOffersOut(many=True))
    @blp.alt_response(401, description="No valid token")
    @blp.alt_response(403, description="Needs the agent or admin role")
    def get(self) -> list[dict[str, Any]]:
        """The offers each reason is met with, customised or the defaults."""
        return [_reason_offers(reason) for reason in CancelReason]


@blp.route("/offers/<reason>")
class ReasonOffers(MethodView):
    """The offers of one reason."""

    @require_roles()
    @blp.doc(security=SECURITY)
    @blp.arguments(OfferListSchema)
    @blp.response(200, ReasonOffersOut)
    @blp.alt_response(401, description="No valid token")
    @blp.alt_response(403, description="Needs the admin role")
    @blp.alt_response(404, description="No such reason")
    @blp.alt_response(422, description="An offer is not valid; nothing was written")
    def put(self, data: dict[str, Any], reason: str) -> dict[str, Any]:
        """Replace the offers of a reason (an empty list: no offers, straight to confirm)."""
        which = _reason(reason)
        replace_offers(db.session, utcnow(), which, data["offers"], current_principal().actor)
        db.session.commit()
        return _reason_offers(which)

    @require_roles()
    @blp.doc(security=SECURITY)
    @blp.response(200, ReasonOffersOut)
    @blp.alt_response(401, description="No valid token")
    @blp.alt_response(403, description="Needs the admin role")
    @blp.alt_response(404, description="No such reason")
    def delete(self, reason: str) -> dict[str, Any]:
        """Go back to the shipped default offers for a reason."""
        which = _reason(reason)
        reset_offers(db.session, which)
        db.session.commit()
        return _reason_offers(which)


@blp.route("/save-rate")
class SaveRates(MethodView):
    """How many cancellations the offers save, by reason."""

    @require_roles(Role.AGENT)
    @blp.doc(security=SECURITY)
    @blp.arguments(SaveRateArgs, location="query")
    @blp.response(200, SaveRatesOut)
    @blp.alt_response(401, description="No valid token")
    @blp.alt_response(403, description="Needs the agent or admin role")
    @blp.alt_response(422, description="A query argument is wrong")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Offers accepted / flows started, per reason and overall, for the dashboard."""
        return operations.save_rate_report(db.session, args["since"], args["until"])
