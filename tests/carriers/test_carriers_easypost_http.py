"""The EasyPost adapter against a real HTTP server on loopback answering in EasyPost's shapes."""

import base64
import hashlib
import hmac
import json
import socket
from datetime import UTC, date, datetime

import pytest

from carriers import (
    Address,
    CarrierError,
    Parcel,
    PickupRequest,
    PickupStatus,
    ReturnLabelRequest,
    TrackingStatus,
    WebhookSignatureError,
    get_adapter,
)
from carriers import easypost_mapping as mapping

API_KEY = "EZTK_test_key"
AUTH = "Basic " + base64.b64encode(f"{API_KEY}:".encode()).decode()
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
PICKUP = PickupRequest(
    reference="rma-1001-pickup",
    address=CUSTOMER,
    date=date(2026, 12, 1),
    slot="14-16",
    instructions="Leave at the front desk",
    shipment_id="shp_7c6b5a4938271605f4e3d2c1b0a99887",
)
LABEL = ReturnLabelRequest(
    reference="rma-1001-label",
    from_address=CUSTOMER,
    to_address=WAREHOUSE,
    parcel=Parcel(weight_grams=1200, length_cm=30, width_cm=20, height_cm=10),
)


def easypost(base_url: str, **settings: str):
    return get_adapter(
        "easypost", {"api_key": API_KEY, "api_base": base_url, "timezone": "Asia/Tokyo", **settings}
    )


@pytest.fixture
def adapter(httpserver):
    return easypost(httpserver.url_for("/"))


def test_settings_need_an_api_key():
    with pytest.raises(ValueError, match="'api_key'"):
        get_adapter("easypost", {})


def test_request_pickup_creates_then_buys_the_cheapest_rate(adapter, httpserver, data_json):
    httpserver.expect_ordered_request(
        "/v2/pickups",
        method="POST",
        headers={"Authorization": AUTH, "Idempotency-Key": "rma-1001-pickup"},
        json={
            "pickup": {
                "address": {
                    "name": "Hanako Yamada",
                    "street1": "1-2-3 Jingumae",
                    "city": "Shibuya-ku",
                    "state": "Tokyo",
                    "zip": "150-0001",
                    "country": "JP",
                    "phone": "0312345678",
                },
                # 14:00-16:00 in Tokyo.
                "min_datetime": "2026-12-01T05:00:00+00:00",
                "max_datetime": "2026-12-01T07:00:00+00:00",
                "instructions": "Leave at the front desk",
                "reference": "rma-1001-pickup",
                "is_account_address": False,
                "shipment": {"id": "shp_7c6b5a4938271605f4e3d2c1b0a99887"},
            }
        },
    ).respond_with_json(data_json("easypost_pickup_created.json"))
    httpserver.expect_ordered_request(
        "/v2/pickups/pickup_5a1b2c3d4e5f40718293a4b5c6d7e8f9/buy",
        method="POST",
        headers={"Authorization": AUTH, "Idempotency-Key": "rma-1001-pickup:buy"},
        json={"carrier": "USPS", "service": "NextDay"},
    ).respond_with_json(data_json("easypost_pickup_bought.json"))

    confirmation = adapter.request_pickup(PICKUP)

    httpserver.check_assertions()
    assert httpserver.log[0][0].headers["Content-Type"] == "application/json"
    assert confirmation.pickup_id == "pickup_5a1b2c3d4e5f40718293a4b5c6d7e8f9"
    assert confirmation.confirmation_number == "WTC19283746"
    assert confirmation.carrier == "USPS"
    assert confirmation.status is PickupStatus.SCHEDULED
    assert confirmation.window_start == datetime(2026, 12, 1, 5, tzinfo=UTC)


def test_request_pickup_without_slot_offers_the_working_day(adapter, httpserver, data_json):
    httpserver.expect_ordered_request("/v2/pickups", method="POST").respond_with_json(
        data_json("easypost_pickup_bought.json")
    )
    adapter.request_pickup(
        PickupRequest(reference="rma-1002-pickup", address=CUSTOMER, date=date(2026, 12, 1))
    )
    (request, _), *_ = httpserver.log
    pickup = request.get_json()["pickup"]
    assert (pickup["min_datetime"], pickup["max_datetime"]) == (
        "2026-12-01T00:00:00+00:00",  # 09:00 in Tokyo
        "2026-12-01T09:00:00+00:00",  # 18:00 in Tokyo
    )


def test_a_replayed_pickup_that_is_already_bought_is_not_bought_again(
    adapter, httpserver, data_json
):
    httpserver.expect_ordered_request("/v2/pickups", method="POST").respond_with_json(
        data_json("easypost_pickup_bought.json")
    )
    confirmation = adapter.request_pickup(PICKUP)
    httpserver.check_assertions()
    assert len(httpserver.log) == 1
    assert confirmation.status is PickupStatus.SCHEDULED


def test_pickup_without_rates_fails_for_good(adapter, httpserver, data_json):
    pickup = data_json("easypost_pickup_created.json")
    pickup["pickup_rates"] = []
    pickup["messages"] = [{"carrier": "UPS", "type": "rate_error", "message": "Too late today"}]
    httpserver.expect_ordered_request("/v2/pickups", method="POST").respond_with_json(pickup)
    with pytest.raises(CarrierError, match="Too late today") as raised:
        adapter.request_pickup(PICKUP)
    assert raised.value.transient is False


def test_cancel_pickup(adapter, httpserver, data_json):
    cancelled = data_json("easypost_pickup_bought.json") | {"status": "canceled"}
    httpserver.expect_ordered_request(
        "/v2/pickups/pickup_5a1b2c3d4e5f40718293a4b5c6d7e8f9/cancel",
        method="POST",
        headers={"Authorization": AUTH},
    ).respond_with_json(cancelled)
    assert adapter.cancel_pickup("pickup_5a1b2c3d4e5f40718293a4b5c6d7e8f9") is None
    httpserver.check_assertions()


def test_create_return_label_creates_then_buys_the_cheapest_rate(adapter, httpserver, data_json):
    httpserver.expect_ordered_request(
        "/v2/shipments",
        method="POST",
        headers={"Authorization": AUTH, "Idempotency-Key": "rma-1001-label"},
        json=mapping.shipment_body(LABEL),
    ).respond_with_json(data_json("easypost_shipment_created.json"), status=201)
    httpserver.expect_ordered_request(
        "/v2/shipments/shp_7c6b5a4938271605f4e3d2c1b0a99887/buy",
        method="POST",
        headers={"Authorization": AUTH, "Idempotency-Key": "rma-1001-label:buy"},
        json={"rate": {"id": "rate_bbbb000011112222333344445555bbbb"}},
    ).respond_with_json(data_json("easypost_shipment_bought.json"))

    label = adapter.create_return_label(LABEL)

    httpserver.check_assertions()
    assert label.tracking_number == "9400100000000000000123"
    assert (label.rate_amount, label.rate_currency) == (593, "USD")
    first_body = httpserver.log[0][0].get_json()["shipment"]
    assert first_body["is_return"] is True
    assert first_body["to_address"]["name"] == "Hanako Yamada"
    assert first_body["parcel"] == {"weight": 42.3, "length": 11.8, "width": 7.9, "height": 3.9}


def test_track_creates_a_tracker_without_an_idempotency_key(adapter, httpserver, shared_json):
    tracker = shared_json("easypost_python__tracker_create_response_pre_transit.json")
    httpserver.expect_ordered_request(
        "/v2/trackers",
        method="POST",
        headers={"Authorization": AUTH},
        json={"tracker": {"tracking_code": "EZ1000000001", "carrier": "USPS"}},
    ).respond_with_json(tracker)

    update = adapter.track("EZ1000000001", "USPS")

    httpserver.check_assertions()
    assert "Idempotency-Key" not in httpserver.log[0][0].headers
    assert update == mapping.tracking_update(tracker)
    assert update.status is TrackingStatus.LABEL_CREATED


def test_get_tracker(adapter, httpserver, data_json):
    tracker = data_json("easypost_event_tracker_delivered.json")["result"]
    httpserver.expect_ordered_request(
        f"/v2/trackers/{tracker['id']}", method="GET", headers={"Authorization": AUTH}
    ).respond_with_json(tracker)
    assert adapter.get_tracker(tracker["id"]).status is TrackingStatus.DELIVERED
    httpserver.check_assertions()


@pytest.mark.parametrize(("status", "transient"), [(422, False), (404, False), (401, False)])
def test_client_errors_are_not_transient(adapter, httpserver, status, transient):
    httpserver.expect_request("/v2/trackers").respond_with_json(
        {"error": {"code": "TRACKER.CREATE.ERROR", "message": "Tracking code is invalid"}},
        status=status,
    )
    with pytest.raises(CarrierError, match="TRACKER.CREATE.ERROR: Tracking code") as raised:
        adapter.track("nonsense")
    assert raised.value.transient is transient
    assert raised.value.status_code == status


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_rate_limits_and_server_errors_are_transient(adapter, httpserver, status):
    httpserver.expect_request("/v2/trackers").respond_with_data("busy", status=status)
    with pytest.raises(CarrierError, match=f"answered {status}") as raised:
        adapter.track("EZ1000000001")
    assert raised.value.transient is True


def test_success_without_json_is_an_error(adapter, httpserver):
    httpserver.expect_request("/v2/trackers").respond_with_data("<html>ok</html>")
    with pytest.raises(CarrierError, match="without a JSON object") as raised:
        adapter.track("EZ1000000001")
    assert raised.value.transient is False


def test_refused_connection_is_transient():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on the port any more.
    with pytest.raises(CarrierError) as raised:
        easypost(f"http://127.0.0.1:{port}").track("EZ1000000001")
    assert raised.value.transient is True


def test_timeout_is_transient():
    # A listening socket that never answers: the connection is accepted by the kernel's
    # backlog, and the read times out.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        adapter = easypost(f"http://127.0.0.1:{port}", timeout="0.2")
        with pytest.raises(CarrierError, match="failed") as raised:
            adapter.track("EZ1000000001")
    assert raised.value.transient is True


def signed(body: bytes, secret: str) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"x-hmac-signature": f"hmac-sha256-hex={digest}"}


def test_webhook_with_a_good_signature(data_json):
    body = json.dumps(data_json("easypost_event_tracker_delivered.json")).encode()
    adapter = easypost("http://127.0.0.1:9", webhook_secret="whsec")
    update = adapter.parse_webhook(signed(body, "whsec"), body)
    assert update is not None
    assert update.status is TrackingStatus.DELIVERED


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Hmac-Signature": "hmac-sha256-hex=00"}, signed(b"another body", "whsec")],
)
def test_webhook_with_a_missing_or_wrong_signature_is_refused(data_json, headers):
    body = json.dumps(data_json("easypost_event_tracker_delivered.json")).encode()
    adapter = easypost("http://127.0.0.1:9", webhook_secret="whsec")
    with pytest.raises(WebhookSignatureError):
        adapter.parse_webhook(headers, body)


def test_webhook_without_a_configured_secret_is_refused(data_json):
    body = json.dumps(data_json("easypost_event_tracker_delivered.json")).encode()
    with pytest.raises(WebhookSignatureError, match="no EasyPost webhook secret"):
        easypost("http://127.0.0.1:9").parse_webhook({}, body)
    with pytest.raises(WebhookSignatureError):
        easypost("http://127.0.0.1:9").parse_webhook(signed(body, ""), body)


def test_webhook_about_something_else_gives_nothing(data_json):
    body = json.dumps(data_json("easypost_event_batch_created.json")).encode()
    adapter = easypost("http://127.0.0.1:9", webhook_secret="whsec")
    assert adapter.parse_webhook(signed(body, "whsec"), body) is None


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]"])
def test_webhook_that_is_not_a_json_object_is_refused(body):
    adapter = easypost("http://127.0.0.1:9", webhook_secret="whsec")
    with pytest.raises(CarrierError, match="not a JSON object|not JSON"):
        adapter.parse_webhook(signed(body, "whsec"), body)
