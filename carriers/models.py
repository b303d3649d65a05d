"""Carrier-neutral requests and results: what the service asks carriers and what it gets back."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from carriers.slots import parse_slot
from carriers.status import TrackingStatus

_COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Address:
    """A postal address with the contact a carrier needs to reach it."""

    name: str
    company: str = ""
    phone: str = ""
    email: str = ""
    postal_code: str
    country: str
    province: str = ""
    city: str = ""
    address1: str = ""
    address2: str = ""

    def __post_init__(self) -> None:
        if not _COUNTRY.match(self.country):
            raise ValueError(
                f"country must be an ISO 3166-1 alpha-2 code such as 'JP', got {self.country!r}"
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class Parcel:
    """One parcel; weight in grams and dimensions in centimetres, each optional."""

    weight_grams: int | None = None
    length_cm: float | None = None
    width_cm: float | None = None
    height_cm: float | None = None

    def __post_init__(self) -> None:
        for name in ("weight_grams", "length_cm", "width_cm", "height_cm"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ValueError(f"{name} must be positive, got {value!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class PickupRequest:
    """Ask a carrier to collect parcels from an address on a day, optionally within a slot.

    ``reference`` is the idempotency key: asking twice with the same reference must not
    book two pickups.
    """

    reference: str
    address: Address
    date: date
    slot: str | None = None
    parcels: tuple[Parcel, ...] = ()
    instructions: str = ""
    shipment_id: str | None = None  # the carrier's shipment the parcels travel under, if any

    def __post_init__(self) -> None:
        if not self.reference:
            raise ValueError("reference must not be empty: it is the idempotency key")
        if self.slot is not None:
            parse_slot(self.slot)


class PickupStatus(StrEnum):
    """Where a pickup booking stands."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True, kw_only=True)
class PickupConfirmation:
    """A carrier's answer to a pickup request; ``raw`` keeps its response for the record."""

    carrier: str
    pickup_id: str
    confirmation_number: str
    date: date
    window_start: datetime | None
    window_end: datetime | None
    status: PickupStatus
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("window_start", "window_end"):
            _require_aware(name, getattr(self, name))


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnLabelRequest:
    """Ask for a prepaid label that takes a parcel from the customer to the warehouse."""

    reference: str
    from_address: Address  # the customer
    to_address: Address  # the warehouse
    parcel: Parcel

    def __post_init__(self) -> None:
        if not self.reference:
            raise ValueError("reference must not be empty: it is the idempotency key")


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnLabel:
    """A bought return label; the rate is in the currency's minor unit, None when unknown."""

    carrier: str
    shipment_id: str
    tracking_number: str
    label_url: str
    rate_amount: int | None = None
    rate_currency: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if (self.rate_amount is None) != (self.rate_currency is None):
            raise ValueError("rate_amount and rate_currency go together")


@dataclass(frozen=True, slots=True, kw_only=True)
class TrackingEvent:
    """One scan or status change, at a UTC time, with the carrier's own word for it."""

    tracking_number: str
    status: TrackingStatus
    occurred_at: datetime
    description: str = ""
    location: str = ""
    carrier_status: str = ""

    def __post_init__(self) -> None:
        _require_aware("occurred_at", self.occurred_at)
        if self.occurred_at.utcoffset() != timedelta(0):
            raise ValueError(f"occurred_at must be in UTC, got {self.occurred_at.isoformat()}")


@dataclass(frozen=True, slots=True, kw_only=True)
class TrackingUpdate:
    """What a carrier knows about a parcel: its latest status and its events, oldest first."""

    tracking_number: str
    carrier: str
    status: TrackingStatus
    events: tuple[TrackingEvent, ...] = ()
    est_delivery: datetime | None = None

    def __post_init__(self) -> None:
        _require_aware("est_delivery", self.est_delivery)


def _require_aware(name: str, value: datetime | None) -> None:
    if value is not None and value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value.isoformat()}")
