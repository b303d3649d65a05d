"""What people read for the codes the pages show: reasons, states, decisions, events."""

from __future__ import annotations

from flask_babel import lazy_gettext

#: What a customer and staff read for each return reason code.
REASON_LABELS = {
    "DEFECTIVE": lazy_gettext("Defective or damaged"),
    "WRONG_ITEM": lazy_gettext("Wrong item received"),
    "NOT_AS_DESCRIBED": lazy_gettext("Not as described"),
    "SIZE_TOO_SMALL": lazy_gettext("Too small"),
    "SIZE_TOO_LARGE": lazy_gettext("Too large"),
    "COLOR": lazy_gettext("Colour"),
    "STYLE": lazy_gettext("Style"),
    "UNWANTED": lazy_gettext("No longer wanted"),
    "OTHER": lazy_gettext("Other"),
}

#: What a customer and staff read for each state of a return.
STATUS_LABELS = {
    "requested": lazy_gettext("Requested"),
    "review": lazy_gettext("Being reviewed"),
    "approved": lazy_gettext("Approved"),
    "rejected": lazy_gettext("Not accepted"),
    "awaiting_parcel": lazy_gettext("Waiting for your parcel"),
    "in_transit": lazy_gettext("On its way"),
    "received": lazy_gettext("Received"),
    "inspected": lazy_gettext("Inspected"),
    "completed": lazy_gettext("Completed"),
    "cancelled": lazy_gettext("Cancelled"),
    "expired": lazy_gettext("Expired"),
}

#: Other codes a page shows, by their value; a code missing here is shown as it is.
CODE_LABELS = {
    # What the customer gets back.
    "refund": lazy_gettext("Refund"),
    "store_credit": lazy_gettext("Store credit"),
    "exchange": lazy_gettext("Exchange"),
    # How the parcel comes back.
    "pickup": lazy_gettext("Pickup"),
    "dropoff": lazy_gettext("Drop-off"),
    "none": lazy_gettext("Kept by the customer"),
    # A line's decision.
    "approve": lazy_gettext("Approved"),
    "reject": lazy_gettext("Rejected"),
    "approve_keep_item": lazy_gettext("Refund, item kept"),
    # Condition and disposition at inspection.
    "new": lazy_gettext("As new"),
    "good": lazy_gettext("Good"),
    "damaged": lazy_gettext("Damaged"),
    "unsellable": lazy_gettext("Unsellable"),
    "restock": lazy_gettext("Back to stock"),
    "refurbish": lazy_gettext("Refurbish"),
    "dispose": lazy_gettext("Dispose of"),
    # Refunds and pickups.
    "original_payment": lazy_gettext("Original payment method"),
    "pending": lazy_gettext("Pending"),
    "processing": lazy_gettext("Processing"),
    "succeeded": lazy_gettext("Succeeded"),
    "failed": lazy_gettext("Failed"),
    "confirmed": lazy_gettext("Confirmed"),
    # The kind of a case (an exchange reads as above).
    "return": lazy_gettext("Return"),
    "order_cancellation": lazy_gettext("Order cancellation"),
    "subscription_cancellation": lazy_gettext("Subscription cancellation"),
    # A case's priority on the staff work list (the e-mails to staff use the same words).
    "urgent": lazy_gettext("Urgent"),
    "high": lazy_gettext("High"),
    "normal": lazy_gettext("Normal"),
}


def code_label(code: str) -> str:
    """What people read for a code: its own words, a return state's, or else the code."""
    found = CODE_LABELS.get(code) or STATUS_LABELS.get(code)
    return str(found) if found is not None else code


#: Timeline entries other than a return's moves.
EVENT_LABELS = {
    "return.created": lazy_gettext("Request filed"),
    "refund.created": lazy_gettext("Refund started"),
    "refund.issued": lazy_gettext("Refund issued"),
    "refund.failed": lazy_gettext("Refund failed"),
    "exchange.shipment_requested": lazy_gettext("Replacement requested from the warehouse"),
    "exchange.shipped": lazy_gettext("Replacement shipped"),
    "pickup.confirmed": lazy_gettext("Pickup confirmed"),
    "pickup.cancelled": lazy_gettext("Pickup called off: the parcel came another way"),
    "label.created": lazy_gettext("Return label ready"),
    "parcel.tracking": lazy_gettext("Parcel scanned by the carrier"),
    "parcel.delivered_to_warehouse": lazy_gettext("Parcel delivered to the warehouse"),
}


def event_label(kind: str) -> str:
    """A timeline entry's words: its own, a return's new state, or else its code."""
    if kind in EVENT_LABELS:
        return str(EVENT_LABELS[kind])
    subject, _, state = kind.partition(".")
    if subject == "return" and state in STATUS_LABELS:
        return str(STATUS_LABELS[state])
    return kind
