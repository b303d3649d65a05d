"""The job that brings a Shopify order's return record in line with our return.

It reads where our return is, where the Shopify return was last brought (the link's state)
and takes the steps between: request, approve or decline, close. Each step's result is kept
at once on its own connection, so a retry after a crash continues instead of repeating;
a step Shopify refuses as already done (``INVALID_STATE``) is settled by reading the
return's status there.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from returns_service.errors import PermanentJobError
from returns_service.integrations import links
from returns_service.integrations.errors import IntegrationError
from returns_service.integrations.shopify_returns import mapping
from returns_service.integrations.shopify_returns.client import ShopifyReturns
from returns_service.orders.models import OrderSource
from returns_service.returns import states
from returns_service.returns.models import ReturnRequest
from returns_service.shop import ShopSettings

SYSTEM = "shopify_return"
#: The step that leads from a Shopify status towards a target, by (status, target).
_STEPS = {
    ("REQUESTED", "OPEN"): "approve",
    ("REQUESTED", "CLOSED"): "approve",
    ("REQUESTED", "DECLINED"): "decline",
    ("OPEN", "CLOSED"): "close",
}


def _request(shopify: ShopifyReturns, request: ReturnRequest) -> dict[str, str]:
    fulfilled = shopify.fulfillment_lines(request.order.external_id)
    lines = [
        mapping.ReturnedLine(
            line_item_id=line.order_line.external_id,
            quantity=line.quantity,
            reason=line.reason,
            note=line.comment or "",
        )
        for line in request.lines
    ]
    return shopify.request(request.order.external_id, mapping.return_lines(lines, fulfilled))


def _step(shopify: ShopifyReturns, step: str, return_id: str) -> str:
    try:
        if step == "approve":
            return shopify.approve(return_id)["status"]
        if step == "decline":
            return shopify.decline(return_id)["status"]
        return shopify.close(return_id)["status"]
    except mapping.UserErrors as exc:
        if "INVALID_STATE" in exc.codes:
            return shopify.status(return_id)  # done before, or by someone in Shopify's admin
        raise


def sync_shopify_return(
    session: Session, now: datetime, settings: ShopSettings, return_id: int
) -> None:
    """Mirror our return in Shopify as far as its state asks; idempotent under retries."""
    request = session.get(ReturnRequest, return_id)
    if request is None or request.order.source is not OrderSource.SHOPIFY:
        return
    target = mapping.TARGETS.get(request.status.value)
    link = links.find_link(session, SYSTEM, "return", request.id)
    if target is None or (link is None and target == "DECLINED"):
        return  # nothing to mirror (rejected before Shopify heard of it, cancelled, expired)
    shopify = ShopifyReturns.from_config(settings.config)
    with links.calling(SYSTEM, "return", request.id, now):
        try:
            if link is None or not link.external_id:
                created = _request(shopify, request)
                return_id_there, status = created["id"], created["status"]
                links.keep_now(
                    SYSTEM, "return", request.id, now, external_id=return_id_there, state=status
                )
                _note(session, now, request, status, return_id_there, created.get("name"))
            else:
                return_id_there, status = link.external_id, link.state
            while (step := _STEPS.get((status, target))) is not None:
                status = _step(shopify, step, return_id_there)
                links.keep_now(SYSTEM, "return", request.id, now, state=status, last_error=None)
                _note(session, now, request, status, return_id_there)
        except mapping.UserErrors as exc:
            raise IntegrationError(str(exc)) from exc
    if status != target:
        raise PermanentJobError(f"the Shopify return {return_id_there} is {status}, not {target}")


def _note(
    session: Session,
    now: datetime,
    request: ReturnRequest,
    status: str,
    return_id: str,
    name: str | None = None,
) -> None:
    states.note(
        session,
        request,
        f"{SYSTEM}.{status.lower()}",
        actor="system",
        now=now,
        shopify_return_id=return_id,
        **({"name": name} if name else {}),
    )
