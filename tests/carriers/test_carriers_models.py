"""The carrier-neutral models check what they are given."""

import dataclasses
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from carriers import (
    Address,
    Parcel,
    PickupConfirmation,
    PickupRequest,
    PickupStatus,
    ReturnLabel,
    TrackingEvent,
    TrackingStatus,
    TrackingUpdate,
)
from carriers.money import to_minor_units
from carriers.slots import parse_slot, pickup_window

TOKYO = ZoneInfo("Asia/Tokyo")


def customer() -> Address:
    return Address(name="Hanako Yamada", postal_code="150-0001", country="JP", city="Shibuya-ku")


def test_address_needs_an_iso_alpha_2_country():
    with pytest.raises(ValueError, match="ISO 3166-1 alpha-2"):
        Address(name="Hanako Yamada", postal_code="150-0001", country="Japan")
    with pytest.raises(ValueError, match="alpha-2"):
        Address(name="Hanako Yamada", postal_code="150-0001", country="jp")


def test_models_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        customer().name = "someone else"  # type: ignore[misc]


def test_parcel_measures_are_positive_when_given():
    assert Parcel().weight_grams is None
    with pytest.raises(ValueError, match="weight_grams"):
        Parcel(weight_grams=0)


def test_pickup_request_needs_a_reference_and_a_readable_slot():
    with pytest.raises(ValueError, match="idempotency key"):
        PickupRequest(reference="", address=customer(), date=date(2026, 12, 1))
    with pytest.raises(ValueError, match="14-16"):
        PickupRequest(reference="r1", address=customer(), date=date(2026, 12, 1), slot="afternoon")
    day = date(2026, 12, 1)
    assert PickupRequest(reference="r1", address=customer(), date=day, slot="14-16").parcels == ()


@pytest.mark.parametrize(
    ("slot", "start", "end"),
    [
        ("14-16", timedelta(hours=14), timedelta(hours=16)),
        ("9:30-12:00", timedelta(hours=9, minutes=30), timedelta(hours=12)),
        (" 18 - 24 ", timedelta(hours=18), timedelta(hours=24)),
    ],
)
def test_parse_slot(slot, start, end):
    assert parse_slot(slot) == (start, end)


@pytest.mark.parametrize("slot", ["16-14", "14-14", "0-25", "9:75-12", "14", ""])
def test_parse_slot_rejects_windows_outside_one_day(slot):
    with pytest.raises(ValueError):
        parse_slot(slot)


def test_pickup_window_reads_the_slot_as_local_wall_time():
    start, end = pickup_window(date(2026, 12, 1), "14-16", TOKYO)
    assert (start, end) == (
        datetime(2026, 12, 1, 5, tzinfo=UTC),
        datetime(2026, 12, 1, 7, tzinfo=UTC),
    )
    _, midnight = pickup_window(date(2026, 12, 1), "18-24", TOKYO)
    assert midnight == datetime(2026, 12, 1, 15, tzinfo=UTC)


def test_tracking_event_time_must_be_aware_and_utc():
    fields = {"tracking_number": "1", "status": TrackingStatus.IN_TRANSIT}
    with pytest.raises(ValueError, match="timezone-aware"):
        TrackingEvent(**fields, occurred_at=datetime(2026, 12, 1, 9))
    with pytest.raises(ValueError, match="in UTC"):
        TrackingEvent(**fields, occurred_at=datetime(2026, 12, 1, 9, tzinfo=TOKYO))
    zero_offset = timezone(timedelta(0))
    event = TrackingEvent(**fields, occurred_at=datetime(2026, 12, 1, 9, tzinfo=zero_offset))
    assert event.carrier_status == ""


def test_tracking_update_estimate_must_be_aware():
    with pytest.raises(ValueError, match="est_delivery"):
        TrackingUpdate(
            tracking_number="1",
            carrier="x",
            status=TrackingStatus.PENDING,
            est_delivery=datetime(2026, 12, 1),
        )


def test_return_label_rate_has_amount_and_currency_together():
    with pytest.raises(ValueError, match="together"):
        ReturnLabel(carrier="x", shipment_id="s", tracking_number="t", label_url="u", rate_amount=5)


def test_raw_payloads_do_not_take_part_in_equality():
    fields = {
        "carrier": "x",
        "pickup_id": "p",
        "confirmation_number": "c",
        "date": date(2026, 12, 1),
        "window_start": None,
        "window_end": None,
        "status": PickupStatus.SCHEDULED,
    }
    assert PickupConfirmation(**fields, raw={"a": 1}) == PickupConfirmation(**fields)


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [("7.58", "USD", 758), ("1200", "JPY", 1200), ("0.5", "JPY", 1), ("1.2345", "KWD", 1235)],
)
def test_to_minor_units(amount, currency, minor):
    assert to_minor_units(amount, currency) == minor


def test_to_minor_units_rejects_non_amounts():
    with pytest.raises(ValueError, match="not an amount"):
        to_minor_units("free", "USD")
