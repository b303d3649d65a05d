"""The interface every carrier adapter implements; anything not overridden is not supported."""

from collections.abc import Mapping
from typing import ClassVar

from carriers.errors import NotSupported
from carriers.models import (
    PickupConfirmation,
    PickupRequest,
    ReturnLabel,
    ReturnLabelRequest,
    TrackingUpdate,
)


class CarrierAdapter:
    """Pickups, return labels and tracking for one carrier, behind carrier-neutral models.

    Adapters are built from explicit settings (strings, as configuration gives them) and
    must not read the environment. Errors are :class:`CarrierError`; its ``transient``
    flag tells the caller whether a retry may help.
    """

    name: ClassVar[str] = ""

    def __init__(self, settings: Mapping[str, str]) -> None:
        self.settings = settings

    def request_pickup(self, request: PickupRequest) -> PickupConfirmation:
        """Book a pickup; the same ``request.reference`` must give the same booking."""
        raise self._not_supported("pickups")

    def cancel_pickup(self, pickup_id: str) -> None:
        """Cancel a booked pickup."""
        raise self._not_supported("cancelling pickups")

    def create_return_label(self, request: ReturnLabelRequest) -> ReturnLabel:
        """Buy a return label; the same ``request.reference`` must give the same label."""
        raise self._not_supported("return labels")

    def track(self, tracking_number: str, carrier_code: str | None = None) -> TrackingUpdate:
        """Fetch what the carrier knows about a parcel now."""
        raise self._not_supported("tracking")

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> TrackingUpdate | None:
        """Verify and read a carrier's push; None for pushes that carry no tracking news."""
        raise self._not_supported("webhooks")

    def _not_supported(self, what: str) -> NotSupported:
        return NotSupported(f"carrier adapter {self.name!r} does not support {what}")
