"""The customer's LINE link from the portal: a code to send, and where messages go."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from returns_service.api.docs import SECURITY
from returns_service.auth.access import current_principal, require_roles
from returns_service.compiled_schemas import Schema
from returns_service.errors import Conflict, NotFound
from returns_service.extensions import db
from returns_service.integrations.line import mapping, operations
from returns_service.integrations.line.models import Channel, LineAccount
from returns_service.models import utcnow
from returns_service.orders.models import Order

blp = Blueprint(
    "portal_line",
    __name__,
    url_prefix="/api/v1/portal/line",
    description="The customer's LINE account",
)


class LineLinkOut(Schema):
    """Where the customer's LINE link stands."""

    linked = fields.Boolean()
    channel = fields.Enum(Channel, by_value=True)
    following = fields.Boolean()
    link_code = fields.String(allow_none=True)
    code_expires_at = fields.AwareDateTime(allow_none=True)
    instructions = fields.String()


class ChannelIn(Schema):
    """The customer's choice of channel."""

    channel = fields.Enum(Channel, by_value=True, required=True)


def _customer() -> tuple[int, str]:
    principal = current_principal()
    order = db.session.get(Order, principal.order_id) if principal.order_id else None
    if order is None or order.customer_id is None:
        raise NotFound("the LINE link belongs to a customer's order; open the order first")
    if not current_app.config["LINE_CHANNEL_SECRET"]:
        raise Conflict("the shop does not send messages on LINE")
    return order.customer_id, order.customer.locale


def _out(account: LineAccount | None, locale: str) -> dict[str, Any]:
    return {
        "linked": bool(account and account.line_user_id),
        "channel": account.channel if account else Channel.EMAIL,
        "following": bool(account and account.following),
        "link_code": account.link_code if account else None,
        "code_expires_at": account.code_expires_at if account else None,
        "instructions": mapping.text(locale, "welcome"),
    }


@blp.route("")
class LineLink(MethodView):
    """The customer's LINE account."""

    @require_roles(customer=True)
    @blp.doc(security=SECURITY)
    @blp.response(200, LineLinkOut)
    @blp.alt_response(401, description="No valid customer token")
    def get(self) -> dict[str, Any]:
        """Whether LINE is linked and where messages go."""
        customer_id, locale = _customer()
        return _out(operations.account_of(db.session, customer_id), locale)

    @require_roles(customer=True)
    @blp.doc(security=SECURITY)
    @blp.response(201, LineLinkOut)
    @blp.alt_response(401, description="No valid customer token")
    def post(self) -> dict[str, Any]:
        """Show a six-digit code to send to the shop's LINE account (valid 30 minutes)."""
        customer_id, locale = _customer()
        account = operations.issue_link_code(db.session, utcnow(), customer_id)
        db.session.commit()
        return _out(account, locale)

    @require_roles(customer=True)
    @blp.doc(security=SECURITY)
    @blp.arguments(ChannelIn)
    @blp.response(200, LineLinkOut)
    @blp.alt_response(401, description="No valid customer token")
    @blp.alt_response(409, description="LINE is chosen but no account is linked")
    @blp.alt_response(422, description="channel is not email, line or both")
    def put(self, data: dict[str, Any]) -> dict[str, Any]:
        """Choose e-mail, LINE, or both for status messages."""
        customer_id, locale = _customer()
        account = operations.choose_channel(db.session, customer_id, data["channel"])
        db.session.commit()
        return _out(account, locale)
