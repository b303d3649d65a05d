"""Carrier-neutral tracking status and the mappings into it."""

from enum import StrEnum


class TrackingStatus(StrEnum):
    """Where a parcel is, whichever carrier carries it."""

    PENDING = "pending"
    LABEL_CREATED = "label_created"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    RETURNED_TO_SENDER = "returned_to_sender"


# Shopify's fulfillment `shipment_status` (REST) / FulfillmentEventStatus (GraphQL, upper-cased).
_SHOPIFY_SHIPMENT_STATUS = {
    "label_printed": TrackingStatus.LABEL_CREATED,
    "label_purchased": TrackingStatus.LABEL_CREATED,
    "confirmed": TrackingStatus.LABEL_CREATED,
    "ready_for_pickup": TrackingStatus.OUT_FOR_DELIVERY,
    # Shopify has CARRIER_PICKED_UP for the carrier collecting the parcel; PICKED_UP is the
    # recipient collecting it from a pickup point, which is a delivery.
    "picked_up": TrackingStatus.DELIVERED,
    "in_transit": TrackingStatus.IN_TRANSIT,
    "carrier_picked_up": TrackingStatus.IN_TRANSIT,
    "out_for_delivery": TrackingStatus.OUT_FOR_DELIVERY,
    "attempted_delivery": TrackingStatus.EXCEPTION,
    "delayed": TrackingStatus.IN_TRANSIT,
    "delivered": TrackingStatus.DELIVERED,
    "failure": TrackingStatus.EXCEPTION,
    # Newer values, so far only in the Customer API's unstable version.
    "ready_for_recipient_pickup": TrackingStatus.OUT_FOR_DELIVERY,
    "buyer_action_required": TrackingStatus.EXCEPTION,
    "returning_to_sender": TrackingStatus.RETURNED_TO_SENDER,
}


def from_shopify_shipment_status(value: str | None) -> TrackingStatus | None:
    """Map Shopify's shipment status to ours; None when Shopify has not said."""
    if not value:
        return None
    return _SHOPIFY_SHIPMENT_STATUS.get(value.lower())
