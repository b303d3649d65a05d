"""The shop as the operations see it: one object, built once by the app factory.

Entry points (views, page handlers, the worker running a job, commands) hand it to the
operations they call; no operation reads the app or its config for itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from business_time import ShopCalendar
from returns_service.setting_values import parse_return_addresses

#: The key under which the app factory keeps the shop's settings in ``app.extensions``.
EXTENSION_KEY = "shop_settings"


@dataclass(frozen=True, slots=True)
class ShopSettings:
    """The shop's name, address, calendar and policies, and the settings of its providers."""

    shop_name: str
    public_url: str
    timezone: str
    #: The language of customers who have not chosen one.
    locale: str
    #: Where returned parcels go, in the order document's address shape.
    warehouse_address: Mapping[str, str]
    #: Where parcels from other countries go back, by country code (``RETURN_ADDRESSES``).
    return_addresses: Mapping[str, Mapping[str, str]]
    calendar: ShopCalendar
    #: Business days within which the desk promises a first reply.
    reply_days: int
    #: Business days within which the desk promises to decide a case.
    resolution_days: int
    #: Days a customer has to send an approved return's parcel.
    return_parcel_days: int
    #: Shipping given back by a cancellation that leaves lines: none, proportional or full.
    partial_cancel_shipping: str
    #: A stop the warehouse has not answered in this time goes to a person.
    stop_timeout: timedelta
    #: Days between subscription deliveries, where the orders do not tell.
    subscription_interval_days: int
    #: Every setting as the app holds it: payment, carrier, warehouse and partner systems
    #: build their clients (credentials, API bases) and the photo limits are read from it.
    config: Mapping[str, Any]

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ShopSettings:
        """The shop's settings from the app config (the checked ``RETURNS_*`` settings)."""
        return cls(
            shop_name=config["SHOP_NAME"],
            public_url=config["PUBLIC_URL"],
            timezone=config["TIMEZONE"],
            locale=config["DEFAULT_LOCALE"],
            warehouse_address={
                "name": config["WAREHOUSE_NAME"],
                "phone": config["WAREHOUSE_PHONE"],
                "postal_code": config["WAREHOUSE_POSTAL_CODE"],
                "country": config["WAREHOUSE_COUNTRY"],
                "province": config["WAREHOUSE_PROVINCE"],
                "city": config["WAREHOUSE_CITY"],
                "address1": config["WAREHOUSE_ADDRESS1"],
            },
            return_addresses=parse_return_addresses(config.get("RETURN_ADDRESSES") or ""),
            calendar=ShopCalendar.from_settings(
                config["TIMEZONE"], config["BUSINESS_HOURS"], config["CLOSED_DAYS"]
            ),
            reply_days=config["SLA_FIRST_RESPONSE_BUSINESS_DAYS"],
            resolution_days=config["SLA_RESOLUTION_BUSINESS_DAYS"],
            return_parcel_days=config["RETURN_PARCEL_DAYS"],
            partial_cancel_shipping=config["REFUND_SHIPPING_ON_PARTIAL_CANCEL"],
            stop_timeout=timedelta(minutes=config["WAREHOUSE_STOP_TIMEOUT_MINUTES"]),
            subscription_interval_days=config["SUBSCRIPTION_INTERVAL_DAYS"],
            config=config,
        )

    def promised(self, arrived_at: datetime) -> dict[str, datetime]:
        """A new case's due times (first answer, decision), as its row keeps them."""
        return {
            "first_response_due_at": self.calendar.add_business_days(arrived_at, self.reply_days),
            "resolution_due_at": self.calendar.add_business_days(arrived_at, self.resolution_days),
        }

    def return_address(self, country: str | None) -> dict[str, str]:
        """Where a parcel from this country goes back: its own address where one is set,
        else the warehouse's."""
        found = self.return_addresses.get((country or "").upper())
        return dict(found or self.warehouse_address)


def shop_settings(app: Any) -> ShopSettings:
    """The settings the app factory built for this app (entry points pass them on)."""
    return app.extensions[EXTENSION_KEY]
