"""Shopify's shipment statuses map onto ours."""

import re

import pytest

from carriers import TrackingStatus, from_shopify_shipment_status

ENUMS = "shopify_admin_graphql_2026-01__order_fulfillment_refund_return_enums.graphql"


def test_every_fulfillment_event_status_in_the_schema_is_mapped(shared_fixture):
    schema = shared_fixture(ENUMS).read_text(encoding="utf-8")
    block = re.search(r"enum FulfillmentEventStatus \{(.*?)\n\}", schema, re.S)
    assert block is not None
    without_docs = re.sub(r'""".*?"""', "", block.group(1), flags=re.S)
    values = without_docs.split()
    assert "CARRIER_PICKED_UP" in values
    unmapped = [value for value in values if from_shopify_shipment_status(value) is None]
    assert unmapped == []


@pytest.mark.parametrize(
    ("shopify", "ours"),
    [
        ("label_printed", TrackingStatus.LABEL_CREATED),
        ("CONFIRMED", TrackingStatus.LABEL_CREATED),
        ("carrier_picked_up", TrackingStatus.IN_TRANSIT),
        ("in_transit", TrackingStatus.IN_TRANSIT),
        ("delayed", TrackingStatus.IN_TRANSIT),
        ("ready_for_pickup", TrackingStatus.OUT_FOR_DELIVERY),
        ("out_for_delivery", TrackingStatus.OUT_FOR_DELIVERY),
        ("attempted_delivery", TrackingStatus.EXCEPTION),
        ("failure", TrackingStatus.EXCEPTION),
        ("delivered", TrackingStatus.DELIVERED),
        ("picked_up", TrackingStatus.DELIVERED),
        ("RETURNING_TO_SENDER", TrackingStatus.RETURNED_TO_SENDER),
    ],
)
def test_shopify_status(shopify, ours):
    assert from_shopify_shipment_status(shopify) is ours


@pytest.mark.parametrize("value", [None, "", "teleported"])
def test_unknown_or_missing_shopify_status_is_none(value):
    assert from_shopify_shipment_status(value) is None


def test_tracking_status_values_are_stable():
    assert [status.value for status in TrackingStatus] == [
        "pending",
        "label_created",
        "in_transit",
        "out_for_delivery",
        "delivered",
        "exception",
        "returned_to_sender",
    ]
