"""Store credit: look up a code's balance, redeem it at checkout."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from returns_service.api.docs import SECURITY
from returns_service.auth.access import require_roles
from returns_service.auth.models import Role
from returns_service.errors import NotFound
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.refunds.models import StoreCreditAccount
from returns_service.refunds.operations import credit_balance, redeem_store_credit
from returns_service.refunds.schemas import AccountOut, RedeemSchema
from returns_service.schemas import money

blp = Blueprint(
    "store_credit", __name__, url_prefix="/api/v1/store-credit", description="Store credit"
)


def _account(code: str) -> StoreCreditAccount:
    account = db.session.scalar(select(StoreCreditAccount).where(StoreCreditAccount.code == code))
    if account is None:
        raise NotFound(f"no store credit with code {code!r}")
    return account


def _answer(account: StoreCreditAccount) -> dict[str, Any]:
    return {
        "code": account.code,
        "balance": money(credit_balance(db.session, account), account.currency),
        "entries": account.entries,
    }


@blp.route("/<code>")
class StoreCredit(MethodView):
    """One code."""

    @require_roles(Role.INTEGRATION, Role.AGENT)
    @blp.doc(security=SECURITY)
    @blp.response(200, AccountOut)
    @blp.alt_response(401, description="No valid token")
    @blp.alt_response(403, description="Needs the integration, agent or admin role")
    @blp.alt_response(404, description="No such code")
    def get(self, code: str) -> dict[str, Any]:
        """The balance and the ledger of a store-credit code."""
        return _answer(_account(code))


@blp.route("/<code>/redeem")
class RedeemStoreCredit(MethodView):
    """Spend credit."""

    @require_roles(Role.INTEGRATION)
    @blp.doc(security=SECURITY)
    @blp.arguments(RedeemSchema)
    @blp.response(201, AccountOut)
    @blp.alt_response(401, description="No valid token")
    @blp.alt_response(403, description="Needs the integration or admin role")
    @blp.alt_response(404, description="No such code")
    @blp.alt_response(409, description="More than the balance")
    @blp.alt_response(422, description="A field is wrong")
    def post(self, data: dict[str, Any], code: str) -> dict[str, Any]:
        """Take an amount off the balance (the shop's checkout calls this)."""
        redeem_store_credit(db.session, code, data["amount"], utcnow(), data["note"])
        db.session.commit()
        return _answer(_account(code))
