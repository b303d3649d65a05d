"""EasyPost JSON maps to and from our models; real tracker payloads give the expected updates."""

import hashlib
import hmac
from datetime import UTC, date, datetime

import pytest

from carriers import (
    Address,
    CarrierError,
    Parcel,
    PickupConfirmation,
    PickupRequest,
    PickupStatus,
    ReturnLabel,
    ReturnLabelRequest,
    TrackingEvent,
    TrackingStatus,
    TrackingUpdate,
)
from carriers import easypost_mapping as mapping

CUSTOMER = Address(
    name="Hanako Yamada",
    phone="0312345678",
    postal_code="150-0001",
    country="JP",
    province="Tokyo",
    city="Shibuya-ku",
    address1="1-2-3 Jingumae",
)
WAREHOUSE = Address(
    name="Returns Desk",
    company="Example Shop",
    postal_code="220-0012",
    country="JP",
    province="Kanagawa",
    city="Yokohama",
    address1="4-5-6 Minatomirai",
)


def test_address_body_uses_easypost_names_and_skips_empty_fields():
    assert mapping.address_body(CUSTOMER) == {
        "name": "Hanako Yamada",
        "street1": "1-2-3 Jingumae",
        "city": "Shibuya-ku",
        "state": "Tokyo",
        "zip": "150-0001",
        "country": "JP",
        "phone": "0312345678",
    }


def test_parcel_body_converts_to_ounces_and_inches():
    parcel = Parcel(weight_grams=1200, length_cm=30, width_cm=20, height_cm=10)
    assert mapping.parcel_body(parcel) == {
        "weight": 42.3,
        "length": 11.8,
        "width": 7.9,
        "height": 3.9,
    }
    assert mapping.parcel_body(Parcel(weight_grams=1)) == {"weight": 0.1}


def test_parcel_body_needs_a_weight():
    with pytest.raises(CarrierError, match="weight"):
        mapping.parcel_body(Parcel(length_cm=10))


def test_pickup_body():
    request = PickupRequest(
        reference="rma-1001-pickup",
        address=CUSTOMER,
        date=date(2026, 12, 1),
        slot="14-16",
        instructions="Leave at the front desk",
        shipment_id="shp_1",
    )
    window = (datetime(2026, 12, 1, 5, tzinfo=UTC), datetime(2026, 12, 1, 7, tzinfo=UTC))
    body = mapping.pickup_body(request, window)
    assert body == {
        "pickup": {
            "address": mapping.address_body(CUSTOMER),
            "min_datetime": "2026-12-01T05:00:00+00:00",
            "max_datetime": "2026-12-01T07:00:00+00:00",
            "instructions": "Leave at the front desk",
            "reference": "rma-1001-pickup",
            "is_account_address": False,
            "shipment": {"id": "shp_1"},
        }
    }
    without_shipment = PickupRequest(reference="r", address=CUSTOMER, date=date(2026, 12, 1))
    assert "shipment" not in mapping.pickup_body(without_shipment, window)["pickup"]


def test_cheapest_rate_compares_amounts_not_strings(data_json):
    rates = data_json("easypost_shipment_created.json")["rates"]
    assert mapping.cheapest_rate(rates, [])["id"] == "rate_bbbb000011112222333344445555bbbb"
    pickup_rates = data_json("easypost_pickup_created.json")["pickup_rates"]
    assert mapping.pickup_buy_body(mapping.cheapest_rate(pickup_rates, [])) == {
        "carrier": "USPS",
        "service": "NextDay",
    }


def test_no_rates_explains_with_easypost_messages():
    messages = [{"carrier": "USPS", "type": "rate_error", "message": "The Date is in the past"}]
    with pytest.raises(CarrierError, match="no rates: The Date is in the past") as raised:
        mapping.cheapest_rate([], messages)
    assert raised.value.transient is False


def test_pickup_confirmation(data_json):
    pickup = data_json("easypost_pickup_bought.json")
    confirmation = mapping.pickup_confirmation(pickup, carrier="USPS", day=date(2026, 12, 1))
    assert confirmation == PickupConfirmation(
        carrier="USPS",
        pickup_id="pickup_5a1b2c3d4e5f40718293a4b5c6d7e8f9",
        confirmation_number="WTC19283746",
        date=date(2026, 12, 1),
        window_start=datetime(2026, 12, 1, 5, tzinfo=UTC),
        window_end=datetime(2026, 12, 1, 7, tzinfo=UTC),
        status=PickupStatus.SCHEDULED,
    )
    assert confirmation.raw is pickup


def test_shipment_body_describes_the_return_like_the_outbound_shipment():
    request = ReturnLabelRequest(
        reference="rma-1001-label",
        from_address=CUSTOMER,
        to_address=WAREHOUSE,
        parcel=Parcel(weight_grams=1200),
    )
    shipment = mapping.shipment_body(request)["shipment"]
    # EasyPost swaps the two itself because is_return is set.
    assert shipment["to_address"]["name"] == "Hanako Yamada"
    assert shipment["from_address"]["name"] == "Returns Desk"
    assert shipment["is_return"] is True
    assert shipment["reference"] == "rma-1001-label"
    assert shipment["parcel"] == {"weight": 42.3}


def test_return_label(data_json):
    shipment = data_json("easypost_shipment_bought.json")
    assert mapping.shipment_buy_body(shipment["selected_rate"]) == {
        "rate": {"id": "rate_bbbb000011112222333344445555bbbb"}
    }
    assert mapping.return_label(shipment) == ReturnLabel(
        carrier="USPS",
        shipment_id="shp_7c6b5a4938271605f4e3d2c1b0a99887",
        tracking_number="9400100000000000000123",
        label_url="https://easypost-files.example/files/postage_label/20261130/label.png",
        rate_amount=593,
        rate_currency="USD",
    )


def test_return_label_needs_a_bought_label(data_json):
    with pytest.raises(CarrierError, match="no label yet"):
        mapping.return_label(data_json("easypost_shipment_created.json"))


def test_tracker_body():
    assert mapping.tracker_body("EZ1000000001", None) == {
        "tracker": {"tracking_code": "EZ1000000001"}
    }
    assert mapping.tracker_body("EZ1000000001", "USPS") == {
        "tracker": {"tracking_code": "EZ1000000001", "carrier": "USPS"}
    }


@pytest.mark.parametrize(
    ("easypost", "ours"),
    [
        ("unknown", TrackingStatus.PENDING),
        ("pre_transit", TrackingStatus.LABEL_CREATED),
        ("in_transit", TrackingStatus.IN_TRANSIT),
        ("out_for_delivery", TrackingStatus.OUT_FOR_DELIVERY),
        ("delivered", TrackingStatus.DELIVERED),
        ("available_for_pickup", TrackingStatus.OUT_FOR_DELIVERY),
        ("return_to_sender", TrackingStatus.RETURNED_TO_SENDER),
        ("failure", TrackingStatus.EXCEPTION),
        ("cancelled", TrackingStatus.EXCEPTION),
        ("error", TrackingStatus.EXCEPTION),
        ("something_new", TrackingStatus.PENDING),
        (None, TrackingStatus.PENDING),
    ],
)
def test_tracking_status(easypost, ours):
    assert mapping.tracking_status(easypost) is ours


def test_real_pre_transit_tracker(shared_json):
    tracker = shared_json("easypost_python__tracker_create_response_pre_transit.json")
    assert mapping.tracking_update(tracker) == TrackingUpdate(
        tracking_number="EZ1000000001",
        carrier="USPS",
        status=TrackingStatus.LABEL_CREATED,
        events=(
            TrackingEvent(
                tracking_number="EZ1000000001",
                status=TrackingStatus.LABEL_CREATED,
                occurred_at=datetime(2025, 2, 6, 19, 48, 26, tzinfo=UTC),
                description="Pre-Shipment Info Sent to USPS",
                location="",
                carrier_status="pre_transit",
            ),
            TrackingEvent(
                tracking_number="EZ1000000001",
                status=TrackingStatus.LABEL_CREATED,
                occurred_at=datetime(2025, 2, 7, 8, 25, 26, tzinfo=UTC),
                description="Shipping Label Created",
                location="HOUSTON, TX, 77063",
                carrier_status="pre_transit",
            ),
        ),
        est_delivery=datetime(2025, 3, 6, 19, 48, 26, tzinfo=UTC),
    )


def test_real_tracker_list(shared_json):
    trackers = shared_json("easypost_python__trackers_list_response.json")["trackers"]
    updates = [mapping.tracking_update(tracker) for tracker in trackers]
    assert [update.tracking_number for update in updates] == [
        tracker["tracking_code"] for tracker in trackers
    ]
    assert updates[0].tracking_number == "9400100208303109500782"
    for update in updates:
        assert update.carrier == "USPS"
        assert update.status is TrackingStatus.LABEL_CREATED
        times = [event.occurred_at for event in update.events]
        assert times == sorted(times)


def test_event_with_a_tracker_gives_its_update_oldest_event_first(data_json):
    update = mapping.tracking_update_from_event(data_json("easypost_event_tracker_delivered.json"))
    assert update is not None
    assert update.status is TrackingStatus.DELIVERED
    assert [event.status for event in update.events] == [
        TrackingStatus.IN_TRANSIT,
        TrackingStatus.OUT_FOR_DELIVERY,
        TrackingStatus.DELIVERED,
    ]
    assert update.events[-1].location == "YOKOHAMA, 220-0012, JP"


def test_real_tracker_in_an_event(shared_json):
    tracker = shared_json("easypost_python__tracker_create_response_pre_transit.json")
    event = {"object": "Event", "description": "tracker.created", "result": tracker}
    assert mapping.tracking_update_from_event(event) == mapping.tracking_update(tracker)


def test_events_about_other_things_give_nothing(data_json):
    event = data_json("easypost_event_batch_created.json")
    assert mapping.tracking_update_from_event(event) is None


def test_signature_matches_hmac_sha256_hex_of_the_raw_body():
    body = b'{"object":"Event","description":"tracker.updated"}'
    digest = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert mapping.signature_matches("s3cret", body, f"hmac-sha256-hex={digest}")
    assert not mapping.signature_matches("s3cret", body + b" ", f"hmac-sha256-hex={digest}")
    assert not mapping.signature_matches("other", body, f"hmac-sha256-hex={digest}")
    assert not mapping.signature_matches("s3cret", body, digest)
    assert not mapping.signature_matches("s3cret", body, None)


def test_signature_key_is_the_nfkd_normalised_secret():
    body = b"{}"
    # "ﬁ" (U+FB01) decomposes to "fi" under NFKD, as EasyPost's own libraries apply.
    digest = hmac.new(b"fine", body, hashlib.sha256).hexdigest()
    assert mapping.signature_matches("\ufb01ne", body, f"hmac-sha256-hex={digest}")


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (
            {"error": {"code": "PICKUP.BUY.NO_MATCHING_RATES", "message": "No rates"}},
            "PICKUP.BUY.NO_MATCHING_RATES: No rates",
        ),
        ({"error": {"message": "Bad"}}, "Bad"),
        ({"errors": []}, None),
        ("<html>", None),
        (None, None),
    ],
)
def test_error_detail(body, detail):
    assert mapping.error_detail(body) == detail


def test_parse_time_reads_zoneless_times_as_utc():
    assert mapping.parse_time("2026-12-01T05:00:00") == datetime(2026, 12, 1, 5, tzinfo=UTC)
    assert mapping.parse_time("2026-12-01T14:00:00+09:00") == datetime(2026, 12, 1, 5, tzinfo=UTC)
    assert mapping.parse_time(None) is None
