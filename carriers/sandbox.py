"""The ``sandbox`` adapter: a carrier for demos and development, with no network."""

import base64
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from carriers.base import CarrierAdapter
from carriers.errors import CarrierError, WebhookSignatureError
from carriers.models import (
    Address,
    PickupConfirmation,
    PickupRequest,
    PickupStatus,
    ReturnLabel,
    ReturnLabelRequest,
    TrackingEvent,
    TrackingUpdate,
)
from carriers.registry import register
from carriers.slots import pickup_window
from carriers.status import TrackingStatus

CARRIER = "sandbox"
_PICKUP_PREFIX = "sbx_pickup_"
_TRACKING_NUMBER = re.compile(r"^SBX\d{12}$")
SIGNATURE_HEADER = "X-Sandbox-Signature"


@register("sandbox")
class SandboxAdapter(CarrierAdapter):
    """Answers every request from its reference and the secret, so a retry gets the same answer.

    Settings: ``timezone`` (IANA name, default UTC) for reading pickup dates and slots, and
    ``webhook_secret``, which signs simulated scans and keys tracking numbers (so that they
    cannot be worked out from a return's number). Without a secret, scans are refused and
    tracking numbers are keyed by a random value of this adapter's own.
    Every call is appended to ``calls`` as ``(method, argument)`` for tests and the demo.
    Scans are simulated by posting :func:`scan_body`, signed with :func:`sign_scan`.
    """

    def __init__(self, settings: Mapping[str, str]) -> None:
        super().__init__(settings)
        self._tz = ZoneInfo(settings.get("timezone") or "UTC")
        self._secret = settings.get("webhook_secret") or ""
        self._key = self._secret or secrets.token_hex(32)
        self.calls: list[tuple[str, Any]] = []

    def tracking_number_for(self, reference: str) -> str:
        """The tracking number this adapter gives a label with this reference."""
        keyed = hmac.new(self._key.encode(), reference.encode(), hashlib.sha256).hexdigest()
        return "SBX" + str(int(keyed, 16) % 10**12).zfill(12)

    def request_pickup(self, request: PickupRequest) -> PickupConfirmation:
        """Confirm any pickup, with numbers derived from its reference."""
        self.calls.append(("request_pickup", request))
        window = pickup_window(request.date, request.slot, self._tz) if request.slot else None
        return PickupConfirmation(
            carrier=CARRIER,
            pickup_id=_PICKUP_PREFIX + _digest(request.reference)[:16],
            confirmation_number="SBXP" + _digits(request.reference, 8),
            date=request.date,
            window_start=window[0] if window else None,
            window_end=window[1] if window else None,
            status=PickupStatus.SCHEDULED,
            raw={"reference": request.reference, "sandbox": True},
        )

    def cancel_pickup(self, pickup_id: str) -> None:
        """Accept the cancellation of any pickup this adapter confirmed."""
        self.calls.append(("cancel_pickup", pickup_id))
        if not pickup_id.startswith(_PICKUP_PREFIX):
            raise CarrierError(f"sandbox has no pickup {pickup_id!r}")

    def create_return_label(self, request: ReturnLabelRequest) -> ReturnLabel:
        """Issue a free label whose numbers are derived from the reference."""
        self.calls.append(("create_return_label", request))
        tracking_number = self.tracking_number_for(request.reference)
        return ReturnLabel(
            carrier=CARRIER,
            shipment_id="sbx_shp_" + _digest(request.reference)[:16],
            tracking_number=tracking_number,
            label_url=_label_data_url(tracking_number, request.from_address, request.to_address),
            raw={"reference": request.reference, "sandbox": True},
        )

    def track(self, tracking_number: str, carrier_code: str | None = None) -> TrackingUpdate:
        """Report a sandbox label as created and not yet scanned."""
        self.calls.append(("track", tracking_number))
        if not _TRACKING_NUMBER.match(tracking_number):
            raise CarrierError(f"sandbox does not know tracking number {tracking_number!r}")
        return TrackingUpdate(
            tracking_number=tracking_number,
            carrier=CARRIER,
            status=TrackingStatus.LABEL_CREATED,
        )

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> TrackingUpdate | None:
        """Verify and read a simulated scan made by :func:`scan_body` and :func:`sign_scan`."""
        self.calls.append(("parse_webhook", body))
        if not self._secret:
            raise WebhookSignatureError("no sandbox carrier secret is set; scans are refused")
        given = next((v for k, v in headers.items() if k.lower() == SIGNATURE_HEADER.lower()), "")
        if not hmac.compare_digest(sign_scan(self._secret, body), given.strip()):
            raise WebhookSignatureError("the sandbox scan's signature is missing or wrong")
        try:
            scan = json.loads(body)
            status = TrackingStatus(scan["status"])
            event = TrackingEvent(
                tracking_number=scan["tracking_number"],
                status=status,
                occurred_at=_aware(scan["occurred_at"]).astimezone(UTC),
                description=scan.get("description", ""),
                location=scan.get("location", ""),
                carrier_status=status.value,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise CarrierError(f"not a sandbox scan: {exc}") from exc
        return TrackingUpdate(
            tracking_number=event.tracking_number,
            carrier=CARRIER,
            status=status,
            events=(event,),
        )


def sign_scan(secret: str, body: bytes) -> str:
    """The ``X-Sandbox-Signature`` of a simulated scan: hex HMAC-SHA256 of the body."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def scan_body(
    tracking_number: str,
    status: TrackingStatus,
    occurred_at: datetime,
    *,
    description: str = "",
    location: str = "",
) -> bytes:
    """A simulated carrier scan, as the sandbox webhook reads it; ``occurred_at`` must be aware."""
    return json.dumps(
        {
            "tracking_number": tracking_number,
            "status": status.value,
            "occurred_at": occurred_at.isoformat(),
            "description": description,
            "location": location,
        }
    ).encode()


def _aware(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"occurred_at {value!r} has no time zone")
    return moment


def _digest(reference: str) -> str:
    return hashlib.sha256(reference.encode()).hexdigest()


def _digits(reference: str, count: int) -> str:
    return str(int(_digest(reference), 16) % 10**count).zfill(count)


def _label_data_url(tracking_number: str, sender: Address, recipient: Address) -> str:
    text = "\n".join(
        (
            "SANDBOX RETURN LABEL - NOT VALID FOR POSTAGE",
            f"Tracking number: {tracking_number}",
            f"From: {sender.name}, {sender.postal_code} {sender.city}, {sender.country}",
            f"To: {recipient.name}, {recipient.postal_code} {recipient.city}, {recipient.country}",
        )
    )
    return "data:text/plain;charset=utf-8;base64," + base64.b64encode(text.encode()).decode()
