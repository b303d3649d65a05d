"""The shop's returns warehouse, where parcels are sent, from the settings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


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
