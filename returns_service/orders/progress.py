"""How far an order has got in the warehouse, read from its status and its parcels."""

from __future__ import annotations

from returns_service.orders.models import FulfillmentStatus, Order, ShipmentStatus

#: A parcel in these states has left the warehouse.
LEFT_WAREHOUSE = frozenset(ShipmentStatus) - {ShipmentStatus.PENDING, ShipmentStatus.LABEL_CREATED}


def order_stage(order: Order) -> FulfillmentStatus:
    """How far the order has got, from its fulfillment status and its parcels.

    A parcel that left the warehouse makes the order shipped whatever its status says; a
    parcel still in the warehouse (a label printed) makes it at least packed.
    """
    if order.fulfillment_status is FulfillmentStatus.SHIPPED or any(
        shipment.status in LEFT_WAREHOUSE for shipment in order.shipments
    ):
        return FulfillmentStatus.SHIPPED
    if order.shipments and order.fulfillment_status is not FulfillmentStatus.PACKED:
        return FulfillmentStatus.PACKED
    return order.fulfillment_status
