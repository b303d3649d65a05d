"""Real UPS and USPS tracking responses (karrio's test fixtures) give the expected updates."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from carriers import TrackingEvent, TrackingStatus, TrackingUpdate, ups_mapping, usps_mapping

UPS = "karrio__ups_tracking_api_response_test_fixture.json"
USPS = "karrio__usps_tracking_api_response_test_fixture.json"


def test_ups_response(shared_json):
    assert ups_mapping.tracking_updates(shared_json(UPS)) == [
        TrackingUpdate(
            tracking_number="string",  # the fixture's placeholder
            carrier="ups",
            # Type X: an exception, even if UPS's simplified text says otherwise.
            status=TrackingStatus.EXCEPTION,
            events=(
                TrackingEvent(
                    tracking_number="string",
                    status=TrackingStatus.EXCEPTION,
                    occurred_at=datetime(2021, 2, 10, 7, 13, 56, tzinfo=UTC),
                    description="Your package was released by the customs agency.",
                    location="Wayne, NJ, 07470, US",
                    carrier_status="SR",
                ),
            ),
        )
    ]


def test_ups_local_times_can_be_read_in_the_scan_zone(shared_json):
    (update,) = ups_mapping.tracking_updates(
        shared_json(UPS), local_tz=ZoneInfo("America/New_York")
    )
    assert update.events[0].occurred_at == datetime(2021, 2, 10, 12, 13, 56, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status_type", "status"),
    [
        ("M", TrackingStatus.LABEL_CREATED),
        ("P", TrackingStatus.IN_TRANSIT),
        ("I", TrackingStatus.IN_TRANSIT),
        ("O", TrackingStatus.OUT_FOR_DELIVERY),
        ("D", TrackingStatus.DELIVERED),
        ("X", TrackingStatus.EXCEPTION),
        ("RS", TrackingStatus.RETURNED_TO_SENDER),
        ("W", TrackingStatus.IN_TRANSIT),
        (None, TrackingStatus.IN_TRANSIT),
    ],
)
def test_ups_status_types(status_type, status):
    assert ups_mapping.status_from_type(status_type) is status


def test_ups_package_without_current_status_takes_its_latest_event():
    response = {
        "trackResponse": {
            "shipment": [
                {
                    "inquiryNumber": "1Z999AA10123456784",
                    "package": [
                        {
                            "activity": [
                                {"date": "20261202", "time": "101500", "status": {"type": "D"}},
                                {"date": "20261201", "time": "080000", "status": {"type": "I"}},
                            ]
                        },
                        {},
                    ],
                }
            ]
        }
    }
    delivered, empty = ups_mapping.tracking_updates(response)
    assert delivered.tracking_number == "1Z999AA10123456784"
    assert delivered.status is TrackingStatus.DELIVERED
    assert [event.status for event in delivered.events] == [
        TrackingStatus.IN_TRANSIT,
        TrackingStatus.DELIVERED,
    ]
    assert empty.status is TrackingStatus.PENDING and empty.events == ()


def test_usps_response(shared_json):
    update = usps_mapping.tracking_update(shared_json(USPS))

    assert update.tracking_number == "9400109104250532908587"
    assert update.carrier == "usps"
    assert update.status is TrackingStatus.DELIVERED
    assert len(update.events) == 12
    assert update.events[0] == TrackingEvent(
        tracking_number="9400109104250532908587",
        status=TrackingStatus.LABEL_CREATED,
        occurred_at=datetime(2024, 11, 15, 16, 32, 33, tzinfo=UTC),
        description="Shipping Label Created, USPS Awaiting Item",
        location="SPRINGFIELD GARDENS, NY, 11413",
        carrier_status="GX",
    )
    assert update.events[-1] == TrackingEvent(
        tracking_number="9400109104250532908587",
        status=TrackingStatus.DELIVERED,
        occurred_at=datetime(2024, 11, 22, 18, 58, 40, tzinfo=UTC),
        description="Delivered, Parcel Locker",
        location="HERNANDO, FL, 34442",
        carrier_status="01",
    )
    assert [(event.carrier_status, event.status) for event in update.events] == [
        ("GX", TrackingStatus.LABEL_CREATED),
        ("03", TrackingStatus.IN_TRANSIT),
        ("SF", TrackingStatus.IN_TRANSIT),
        ("10", TrackingStatus.IN_TRANSIT),
        ("T1", TrackingStatus.IN_TRANSIT),
        ("TL", TrackingStatus.IN_TRANSIT),
        ("TL", TrackingStatus.IN_TRANSIT),
        ("TL", TrackingStatus.IN_TRANSIT),
        ("A1", TrackingStatus.IN_TRANSIT),
        ("07", TrackingStatus.IN_TRANSIT),
        ("OF", TrackingStatus.OUT_FOR_DELIVERY),
        ("01", TrackingStatus.DELIVERED),
    ]


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Pre-Shipment", TrackingStatus.LABEL_CREATED),
        ("Accepted", TrackingStatus.IN_TRANSIT),
        ("Notice Left (No Authorized Recipient Available)", TrackingStatus.EXCEPTION),
        ("Delivery Attempted - No Access to Delivery Location", TrackingStatus.EXCEPTION),
        ("Alert", TrackingStatus.EXCEPTION),
        ("Available for Pickup", TrackingStatus.OUT_FOR_DELIVERY),
        ("Return to Sender", TrackingStatus.RETURNED_TO_SENDER),
        ("Delivered, Returned to Sender", TrackingStatus.RETURNED_TO_SENDER),
        ("Delivered, In/At Mailbox", TrackingStatus.DELIVERED),
        (None, TrackingStatus.IN_TRANSIT),
    ],
)
def test_usps_wording(text, status):
    assert usps_mapping.status_from_text(text) is status


def test_usps_event_without_gmt_time_uses_the_local_time_and_offset():
    update = usps_mapping.tracking_update(
        {
            "trackingNumber": "9400100000000000000000",
            "trackingEvents": [
                {
                    "eventType": "Arrived at Post Office",
                    "eventTimestamp": "2024-11-22T08:59:00",
                    "GMTOffset": "-05:00",
                    "eventCode": "07",
                }
            ],
        }
    )
    assert update.status is TrackingStatus.IN_TRANSIT
    assert update.events[0].occurred_at == datetime(2024, 11, 22, 13, 59, tzinfo=UTC)
