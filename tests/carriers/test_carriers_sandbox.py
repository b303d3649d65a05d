"""The sandbox carrier answers alike to a retry, signs its scans and remembers what it was
asked."""

import base64
from datetime import UTC, date, datetime
from urllib.parse import unquote

import pytest

from carriers import (
    Address,
    CarrierError,
    Parcel,
    PickupRequest,
    PickupStatus,
    ReturnLabelRequest,
    TrackingStatus,
    TrackingUpdate,
    WebhookSignatureError,
    get_adapter,
)
from carriers.sandbox import SIGNATURE_HEADER, scan_body, sign_scan

CUSTOMER = Address(name="Hanako Yamada", postal_code="150-0001", country="JP", city="Shibuya-ku")
WAREHOUSE = Address(name="Returns Desk", postal_code="220-0012", country="JP", city="Yokohama")


SECRET = "sandbox-secret"


@pytest.fixture
def sandbox():
    return get_adapter("sandbox", {"timezone": "Asia/Tokyo", "webhook_secret": SECRET})


def signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    return {SIGNATURE_HEADER: sign_scan(secret, body)}


def pickup(reference: str = "rma-1001-pickup", slot: str | None = "14-16") -> PickupRequest:
    return PickupRequest(reference=reference, address=CUSTOMER, date=date(2026, 12, 1), slot=slot)


def label_request(reference: str = "rma-1001-label") -> ReturnLabelRequest:
    return ReturnLabelRequest(
        reference=reference, from_address=CUSTOMER, to_address=WAREHOUSE, parcel=Parcel()
    )


def test_pickup_is_idempotent_by_reference(sandbox):
    first = sandbox.request_pickup(pickup())
    again = sandbox.request_pickup(pickup())
    other = sandbox.request_pickup(pickup("rma-1002-pickup"))

    assert first == again
    assert first.pickup_id != other.pickup_id
    assert first.confirmation_number != other.confirmation_number
    assert first.status is PickupStatus.SCHEDULED
    assert first.carrier == "sandbox"
    assert first.date == date(2026, 12, 1)
    # 14:00-16:00 in Tokyo.
    assert (first.window_start, first.window_end) == (
        datetime(2026, 12, 1, 5, tzinfo=UTC),
        datetime(2026, 12, 1, 7, tzinfo=UTC),
    )


def test_pickup_without_slot_has_no_window(sandbox):
    confirmation = sandbox.request_pickup(pickup(slot=None))
    assert confirmation.window_start is None and confirmation.window_end is None


def test_answers_depend_on_the_secret_not_on_the_instance():
    settings = {"webhook_secret": SECRET}
    a = get_adapter("sandbox", settings).create_return_label(label_request())
    b = get_adapter("sandbox", settings).create_return_label(label_request())
    other = get_adapter("sandbox", {"webhook_secret": "another"})
    assert a == b
    assert other.create_return_label(label_request()).tracking_number != a.tracking_number


def test_tracking_numbers_cannot_be_worked_out_from_the_reference():
    unkeyed = [get_adapter("sandbox", {}).tracking_number_for("rma-1001-label") for _ in "ab"]
    assert unkeyed[0] != unkeyed[1]


def test_return_label_is_free_and_readable(sandbox):
    label = sandbox.create_return_label(label_request())

    assert label.tracking_number == sandbox.tracking_number_for("rma-1001-label")
    assert label.tracking_number.startswith("SBX") and len(label.tracking_number) == 15
    assert label.rate_amount is None and label.rate_currency is None
    prefix = "data:text/plain;charset=utf-8;base64,"
    assert label.label_url.startswith(prefix)
    text = base64.b64decode(unquote(label.label_url.removeprefix(prefix))).decode()
    assert label.tracking_number in text
    assert "From: Hanako Yamada" in text and "To: Returns Desk" in text


def test_calls_are_recorded_in_order(sandbox):
    request = label_request()
    sandbox.create_return_label(request)
    confirmation = sandbox.request_pickup(pickup())
    sandbox.cancel_pickup(confirmation.pickup_id)
    sandbox.track(sandbox.tracking_number_for("rma-1001-label"))

    assert [method for method, _ in sandbox.calls] == [
        "create_return_label",
        "request_pickup",
        "cancel_pickup",
        "track",
    ]
    assert sandbox.calls[0][1] is request
    assert sandbox.calls[2][1] == confirmation.pickup_id


def test_cancel_unknown_pickup_fails_for_good(sandbox):
    with pytest.raises(CarrierError, match="no pickup") as raised:
        sandbox.cancel_pickup("pickup_from_elsewhere")
    assert raised.value.transient is False


def test_track_knows_its_own_numbers(sandbox):
    number = sandbox.create_return_label(label_request()).tracking_number
    assert sandbox.track(number) == TrackingUpdate(
        tracking_number=number, carrier="sandbox", status=TrackingStatus.LABEL_CREATED
    )
    with pytest.raises(CarrierError, match="does not know"):
        sandbox.track("1Z999AA10123456784")


def test_webhook_reads_a_simulated_scan(sandbox):
    number = sandbox.tracking_number_for("rma-1001-label")
    scanned_at = datetime(2026, 12, 2, 3, 4, tzinfo=UTC)
    body = scan_body(number, TrackingStatus.IN_TRANSIT, scanned_at, location="Shibuya-ku")

    update = sandbox.parse_webhook(signed(body), body)

    assert update is not None
    assert update.status is TrackingStatus.IN_TRANSIT
    (event,) = update.events
    assert event.occurred_at == scanned_at
    assert event.location == "Shibuya-ku"
    assert event.carrier_status == "in_transit"
    assert sandbox.calls == [("parse_webhook", body)]


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b'{"tracking_number": "SBX1", "status": "lost", "occurred_at": "2026-12-02T03:04Z"}',
        b'{"tracking_number": "SBX1", "status": "delivered", "occurred_at": "2026-12-02T03:04"}',
        b'{"status": "delivered"}',
        b"[]",
    ],
)
def test_webhook_rejects_what_is_not_a_scan(sandbox, body):
    with pytest.raises(CarrierError, match="not a sandbox scan"):
        sandbox.parse_webhook(signed(body), body)


@pytest.mark.parametrize("headers", [{}, {SIGNATURE_HEADER: "00"}, signed(b"other", SECRET)])
def test_webhook_with_a_missing_or_wrong_signature_is_refused(sandbox, headers):
    body = scan_body("SBX000000000001", TrackingStatus.DELIVERED, datetime(2026, 12, 2, tzinfo=UTC))
    with pytest.raises(WebhookSignatureError):
        sandbox.parse_webhook(headers, body)


def test_webhook_without_a_secret_refuses_every_scan():
    body = scan_body("SBX000000000001", TrackingStatus.DELIVERED, datetime(2026, 12, 2, tzinfo=UTC))
    with pytest.raises(WebhookSignatureError, match="no sandbox carrier secret"):
        get_adapter("sandbox", {}).parse_webhook(signed(body, ""), body)
