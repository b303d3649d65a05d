"""Carrier adapters: pickups, return labels and tracking, behind carrier-neutral models."""

# Importing the adapter modules registers them under their type names.
from carriers import easypost as _easypost  # noqa: F401
from carriers import sandbox as _sandbox  # noqa: F401
from carriers.base import CarrierAdapter
from carriers.errors import CarrierError, NotSupported, WebhookSignatureError
from carriers.japan import normalise_japanese_status
from carriers.models import (
    Address,
    Parcel,
    PickupConfirmation,
    PickupRequest,
    PickupStatus,
    ReturnLabel,
    ReturnLabelRequest,
    TrackingEvent,
    TrackingUpdate,
)
from carriers.registry import available, get_adapter, register
from carriers.status import TrackingStatus, from_shopify_shipment_status

__all__ = [
    "Address",
    "CarrierAdapter",
    "CarrierError",
    "NotSupported",
    "Parcel",
    "PickupConfirmation",
    "PickupRequest",
    "PickupStatus",
    "ReturnLabel",
    "ReturnLabelRequest",
    "TrackingEvent",
    "TrackingStatus",
    "TrackingUpdate",
    "WebhookSignatureError",
    "available",
    "from_shopify_shipment_status",
    "get_adapter",
    "normalise_japanese_status",
    "register",
]
