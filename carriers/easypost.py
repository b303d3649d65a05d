"""The ``easypost`` adapter: pickups, return labels and trackers through EasyPost's API v2."""

import json
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from carriers import easypost_mapping as mapping
from carriers.base import CarrierAdapter
from carriers.errors import CarrierError, WebhookSignatureError
from carriers.json_http import JsonHttpClient
from carriers.models import (
    PickupConfirmation,
    PickupRequest,
    ReturnLabel,
    ReturnLabelRequest,
    TrackingUpdate,
)
from carriers.registry import register
from carriers.slots import pickup_window

DEFAULT_API_BASE = "https://api.easypost.com"
DEFAULT_TIMEOUT_SECONDS = "10"
# Without a slot, offer the carrier the whole working day.
WHOLE_DAY_SLOT = "9-18"


@register("easypost")
class EasyPostAdapter(CarrierAdapter):
    """EasyPost over HTTP.

    Settings: ``api_key`` (required; sent as the basic-auth user name), ``api_base``
    (default https://api.easypost.com), ``timeout`` in seconds (default 10), ``timezone``
    for reading pickup dates and slots (IANA name, default UTC) and ``webhook_secret``.
    Without a ``webhook_secret`` every webhook push is refused.
    """

    def __init__(self, settings: Mapping[str, str]) -> None:
        super().__init__(settings)
        api_key = settings.get("api_key")
        if not api_key:
            raise ValueError("the easypost carrier adapter needs the setting 'api_key'")
        self._tz = ZoneInfo(settings.get("timezone") or "UTC")
        self._webhook_secret = settings.get("webhook_secret") or ""
        self._http = JsonHttpClient(
            carrier="EasyPost",
            base_url=settings.get("api_base") or DEFAULT_API_BASE,
            timeout=float(settings.get("timeout") or DEFAULT_TIMEOUT_SECONDS),
            auth=(api_key, ""),
            error_detail=mapping.error_detail,
        )

    def request_pickup(self, request: PickupRequest) -> PickupConfirmation:
        """Create a pickup, then buy its cheapest rate."""
        window = pickup_window(request.date, request.slot or WHOLE_DAY_SLOT, self._tz)
        pickup = self._http.post(
            "/v2/pickups",
            mapping.pickup_body(request, window),
            idempotency_key=request.reference,
        )
        rate = mapping.cheapest_rate(pickup.get("pickup_rates") or [], pickup.get("messages") or [])
        if pickup.get("status") != "scheduled":
            # Buying is its own request, so it gets its own key: a key is tied to one request.
            pickup = self._http.post(
                f"/v2/pickups/{pickup['id']}/buy",
                mapping.pickup_buy_body(rate),
                idempotency_key=f"{request.reference}:buy",
            )
        return mapping.pickup_confirmation(pickup, carrier=rate["carrier"], day=request.date)

    def cancel_pickup(self, pickup_id: str) -> None:
        """Cancel a scheduled pickup."""
        self._http.post(
            f"/v2/pickups/{pickup_id}/cancel", {}, idempotency_key=f"{pickup_id}:cancel"
        )

    def create_return_label(self, request: ReturnLabelRequest) -> ReturnLabel:
        """Create a return shipment, then buy its cheapest rate."""
        shipment = self._http.post(
            "/v2/shipments", mapping.shipment_body(request), idempotency_key=request.reference
        )
        # A replayed create may answer with a shipment that was already bought.
        if not (shipment.get("postage_label") or {}).get("label_url"):
            rate = mapping.cheapest_rate(
                shipment.get("rates") or [], shipment.get("messages") or []
            )
            shipment = self._http.post(
                f"/v2/shipments/{shipment['id']}/buy",
                mapping.shipment_buy_body(rate),
                idempotency_key=f"{request.reference}:buy",
            )
        return mapping.return_label(shipment)

    def track(self, tracking_number: str, carrier_code: str | None = None) -> TrackingUpdate:
        """Create (or find) the tracker for a code and return its current state.

        EasyPost answers a repeated create with the existing tracker, so no idempotency key
        is sent: a replayed key would return the status as it was at the first call.
        """
        tracker = self._http.post(
            "/v2/trackers", mapping.tracker_body(tracking_number, carrier_code)
        )
        return mapping.tracking_update(tracker)

    def get_tracker(self, tracker_id: str) -> TrackingUpdate:
        """Fetch a tracker by its EasyPost id (``trk_...``)."""
        return mapping.tracking_update(self._http.get(f"/v2/trackers/{tracker_id}"))

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> TrackingUpdate | None:
        """Verify an EasyPost Event push and return its tracker; None for other events."""
        if not self._webhook_secret:
            # Fail closed: an unsigned push could move a return and release its refund.
            raise WebhookSignatureError("no EasyPost webhook secret is set; pushes are refused")
        signature = _header(headers, mapping.SIGNATURE_HEADER)
        if not mapping.signature_matches(self._webhook_secret, body, signature):
            raise WebhookSignatureError("EasyPost webhook signature is missing or wrong")
        try:
            event = json.loads(body)
        except ValueError as exc:
            raise CarrierError("EasyPost webhook body is not JSON") from exc
        if not isinstance(event, dict):
            raise CarrierError("EasyPost webhook body is not a JSON object")
        return mapping.tracking_update_from_event(event)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    # Plain dicts are case-sensitive; HTTP header names are not.
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), None)
