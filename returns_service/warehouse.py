"""The shop's warehouse: where parcels are sent, and how it is asked to ship and to stop.

Our signed webhooks always go to subscribers (the generic warehouse implementation); when
``RETURNS_WAREHOUSE_SYSTEM`` names a warehouse system, a job also calls it through its
adapter (``returns_service/integrations/``), with our codes as its idempotency keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from returns_service import outbox
from returns_service.config import parse_return_addresses
from returns_service.notifications.webhooks import queue_webhook


def warehouse_address(config: Mapping[str, Any]) -> dict[str, str]:
    """The warehouse's postal address in the order document's address shape."""
    return {
        "name": config["WAREHOUSE_NAME"],
        "phone": config["WAREHOUSE_PHONE"],
        "postal_code": config["WAREHOUSE_POSTAL_CODE"],
        "country": config["WAREHOUSE_COUNTRY"],
        "province": config["WAREHOUSE_PROVINCE"],
        "city": config["WAREHOUSE_CITY"],
        "address1": config["WAREHOUSE_ADDRESS1"],
    }


def return_address(config: Mapping[str, Any], country: str | None) -> dict[str, str]:
    """Where a parcel from this country goes back: its own address in
    ``RETURN_ADDRESSES``, else the warehouse's."""
    by_country = parse_return_addresses(config.get("RETURN_ADDRESSES") or "")
    found = by_country.get((country or "").upper())
    return dict(found) if found else warehouse_address(config)


def uses_system(config: Mapping[str, Any]) -> bool:
    """Whether a warehouse system (not only our signed webhooks) takes the warehouse's work."""
    return config["WAREHOUSE_SYSTEM"] != "webhooks"


def system_settings(config: Mapping[str, Any]) -> dict[str, Any]:
    """The chosen warehouse system's settings, keyed as its adapter reads them."""
    name = config["WAREHOUSE_SYSTEM"].upper()
    return {
        "api_base": config[f"{name}_API_BASE"],
        "merchant_id": config[f"{name}_MERCHANT_ID"],
        "access_token": config[f"{name}_ACCESS_TOKEN"],
    }


def _tell(
    session: Session,
    now: datetime,
    config: Mapping[str, Any],
    event: str,
    data: Mapping[str, Any],
    job: str,
    **ids: int,
) -> None:
    """Our signed webhook to subscribers, and the warehouse system's job when one is set."""
    queue_webhook(session, now, event, data)
    if uses_system(config):
        outbox.record(session, job, now, **ids)


def request_exchange_shipment(
    session: Session, now: datetime, exchange: Any, config: Mapping[str, Any]
) -> None:
    """Ask the warehouse to ship an exchange's replacement."""
    request = exchange.request
    data = {
        "exchange_id": exchange.id,
        "rma": request.rma,
        "order_external_id": request.order.external_id,
        "sku": exchange.sku,
        "quantity": exchange.quantity,
        "ship_to": request.order.shipping_address,
    }
    _tell(
        session,
        now,
        config,
        "exchange.shipment_requested",
        data,
        "warehouse_send_shipment",
        exchange_id=exchange.id,
    )


def request_stop(
    session: Session,
    now: datetime,
    cancellation_id: int,
    summary: Mapping[str, Any],
    config: Mapping[str, Any],
) -> None:
    """Ask the warehouse to stop an order: a webhook receiver answers at ``answer_url``; a
    warehouse system is asked by a job that reads its answer back."""
    _tell(
        session,
        now,
        config,
        "order.stop_requested",
        summary,
        "warehouse_stop_shipment",
        cancellation_id=cancellation_id,
    )


def order_cancelled(
    session: Session,
    now: datetime,
    cancellation_id: int,
    summary: Mapping[str, Any],
    config: Mapping[str, Any],
) -> None:
    """The lines are off the order: subscribers are told, the warehouse system drops it."""
    _tell(
        session,
        now,
        config,
        "order.cancelled",
        summary,
        "warehouse_cancel_order",
        cancellation_id=cancellation_id,
    )
