"""Jobs that call the configured warehouse system: shipments, stops, expected returns, stock.

Each takes ids, calls the adapter with our own codes (the RMA, the order number) so that a
retry finds what the first attempt made, records the answer and commits through the worker.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from returns_service import warehouse
from returns_service.cancellations import operations as cancellations
from returns_service.cancellations import review
from returns_service.cancellations import states as cancellation_states
from returns_service.cancellations.models import Cancellation, CancellationStatus
from returns_service.errors import Conflict, PermanentJobError
from returns_service.integrations import links, tokens
from returns_service.integrations.errors import IntegrationError
from returns_service.integrations.logiless import client as _logiless  # noqa: F401  (registers)
from returns_service.integrations.stock import apply_stock_levels
from returns_service.integrations.warehouse_system import (
    Address,
    ExpectedReturn,
    ShipmentLine,
    ShipmentOrder,
    StopOutcome,
    WarehouseSystem,
    get_system,
)
from returns_service.returns import states as return_states
from returns_service.returns.models import (
    Exchange,
    ExchangeStatus,
    ReturnMethod,
    ReturnRequest,
    ReturnStatus,
)
from returns_service.shop import ShopSettings


def configured_system(settings: ShopSettings) -> WarehouseSystem:
    """The warehouse system the settings name."""
    config = settings.config
    name = config["WAREHOUSE_SYSTEM"]
    return get_system(name, warehouse.system_settings(config) | tokens.renewal(name, config))


def address(document: dict[str, Any]) -> Address:
    """An order's shipping address as the warehouse systems take it."""
    return Address(
        name=document.get("name", ""),
        postal_code=document.get("postal_code", ""),
        province=document.get("province", ""),
        city=document.get("city", ""),
        address1=document.get("address1", ""),
        address2=document.get("address2", "") or "",
        phone=document.get("phone", "") or "",
        country=document.get("country", "JP") or "JP",
    )


def send_shipment(
    session: Session, now: datetime, settings: ShopSettings, exchange_id: int
) -> None:
    """Hand an exchange's replacement to the warehouse system as a shipment order, once."""
    exchange = session.get(Exchange, exchange_id)
    if exchange is None or exchange.status is not ExchangeStatus.SHIPMENT_REQUESTED:
        return
    system = configured_system(settings)
    if links.find_link(session, system.name, "exchange", exchange.id) is not None:
        return
    request = exchange.request
    order = request.order
    shipment = ShipmentOrder(
        code=f"{request.rma}-X{exchange.id}",
        order_number=order.number,
        ship_to=address(order.shipping_address),
        lines=[ShipmentLine(exchange.sku, exchange.quantity)],
        buyer_email=order.customer.email if order.customer else "",
    )
    with links.calling(system.name, "return", request.id, now):
        receipt = system.send_shipment(shipment)
    links.keep_now(
        system.name, "exchange", exchange.id, now, external_id=receipt.id, state="ordered"
    )
    return_states.note(
        session,
        request,
        f"{system.name}.shipment_ordered",
        actor="system",
        now=now,
        sku=exchange.sku,
        code=receipt.code,
        external_id=receipt.id,
    )


def _stop(
    session: Session, now: datetime, settings: ShopSettings, cancellation: Cancellation
) -> Any:
    system = configured_system(settings)
    if not cancellation.whole_order:
        error = (
            f"{system.name} stops whole orders only; cancellation {cancellation.id} takes "
            "some lines off, so a person changes the order in the warehouse system"
        )
        links.record_failure(system.name, "cancellation", cancellation.id, now, error)
        raise PermanentJobError(error)
    with links.calling(system.name, "cancellation", cancellation.id, now):
        return system, system.stop_shipment(cancellation.order.number)


def stop_shipment(
    session: Session, now: datetime, settings: ShopSettings, cancellation_id: int
) -> None:
    """Ask the warehouse system to stop the order and settle the cancellation on its answer."""
    cancellation = cancellations.lock_for_settling(session, cancellation_id)
    waiting = cancellation.status is CancellationStatus.PENDING_STOP or (
        cancellation.status is CancellationStatus.REVIEW
        and cancellation.stop_requested_at is not None
    )
    if not waiting:
        return
    system, answer = _stop(session, now, settings, cancellation)
    if answer.outcome is StopOutcome.PENDING:
        return  # the answer comes through the warehouse-result endpoint
    try:
        review.record_warehouse_result(
            session,
            now,
            settings,
            cancellation,
            stopped=answer.outcome is StopOutcome.STOPPED,
            actor=f"warehouse:{system.name}",
            note=answer.note,
        )
    except Conflict as exc:
        # A person settled it meanwhile: what the warehouse said is kept for them to see.
        cancellation_states.note(
            session,
            cancellation,
            f"{system.name}.answer_too_late",
            now=now,
            actor="system",
            message=f"{answer.note} ({exc.message})",
        )


def cancel_order(
    session: Session, now: datetime, settings: ShopSettings, cancellation_id: int
) -> None:
    """Drop a cancelled order in the warehouse system (a stop already did, if it was asked)."""
    cancellation = session.get(Cancellation, cancellation_id)
    if (
        cancellation is None
        or cancellation.status is not CancellationStatus.CANCELLED
        or cancellation.stop_requested_at is not None
    ):
        return
    system, answer = _stop(session, now, settings, cancellation)
    cancellation_states.note(
        session,
        cancellation,
        f"{system.name}.order_reversed",
        now=now,
        actor="system",
        message=answer.note,
        outcome=answer.outcome.value,
    )


def expect_return(session: Session, now: datetime, settings: ShopSettings, return_id: int) -> None:
    """Announce a returning parcel to the warehouse system, once per return."""
    request = session.get(ReturnRequest, return_id)
    if (
        request is None
        or request.method is ReturnMethod.NONE
        or request.status is not ReturnStatus.AWAITING_PARCEL
    ):
        return
    system = configured_system(settings)
    if links.find_link(session, system.name, "return", request.id) is not None:
        return
    expected = ExpectedReturn(
        code=request.rma,
        order_number=request.order.number,
        lines=[ShipmentLine(line.order_line.sku, line.quantity) for line in request.lines],
        sender=address(request.order.shipping_address),
    )
    with links.calling(system.name, "return", request.id, now):
        inbound_id = system.expect_return(expected)
    links.keep_now(system.name, "return", request.id, now, external_id=inbound_id, state="expected")
    return_states.note(
        session,
        request,
        f"{system.name}.return_expected",
        actor="system",
        now=now,
        external_id=inbound_id,
    )


def sync_stock(
    session: Session, now: datetime, settings: ShopSettings, skus: list[str] | None = None
) -> None:
    """Read stock per SKU from the warehouse system into ours."""
    system = configured_system(settings)
    try:
        levels = system.stock_levels(skus)
    except IntegrationError as exc:
        if exc.transient:
            raise
        raise PermanentJobError(str(exc)) from exc
    apply_stock_levels(session, levels, now)
