"""Words for the codes of cancellations, subscription flows and their timelines.

Returns' words live in ``returns_service.labels``; these add what the staff pages of the
other kinds show, and fall back on those for anything shared.
"""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import get_locale, lazy_gettext

from returns_service.labels import REASON_LABELS, code_label, event_label
from returns_service.pages import in_language

#: A cancellation's and a subscription flow's states, and the reasons of a flow.
CASE_CODE_LABELS = {
    "pending_stop": lazy_gettext("Waiting for the warehouse to stop it"),
    "refused": lazy_gettext("Too late: a return is offered"),
    "offered": lazy_gettext("Offers shown"),
    "saved": lazy_gettext("Kept by an offer"),
    "superseded": lazy_gettext("Started again"),
    "too_much_product": lazy_gettext("Too much product"),
    "does_not_suit": lazy_gettext("Does not suit them"),
    "too_expensive": lazy_gettext("Too expensive"),
    "moving": lazy_gettext("Moving house"),
    "other": lazy_gettext("Other"),
    "exchange": lazy_gettext("Exchange"),
    "shipment_requested": lazy_gettext("Waiting to be shipped"),
    "reserved": lazy_gettext("Stock held"),
    "shipped": lazy_gettext("Shipped"),
    "released": lazy_gettext("Stock released"),
    "shipment_failed": lazy_gettext("Request to the warehouse failed"),
    # The carriers of ``carriers.japan``, by their codes.
    "yamato": lazy_gettext("Yamato Transport"),
    "sagawa": lazy_gettext("Sagawa Express"),
    "japanpost": lazy_gettext("Japan Post"),
    "seino": lazy_gettext("Seino Transportation"),
    # Why a customer cancels an order.
    "CHANGED_MIND": lazy_gettext("Changed their mind"),
    "ORDERED_BY_MISTAKE": lazy_gettext("Ordered by mistake"),
    "FOUND_CHEAPER": lazy_gettext("Found it cheaper"),
    "DELIVERY_TOO_SLOW": lazy_gettext("Delivery too slow"),
    # An order's shipments.
    "label_created": lazy_gettext("Label created"),
    "out_for_delivery": lazy_gettext("Out for delivery"),
    "delivered": lazy_gettext("Delivered"),
    "exception": lazy_gettext("Delivery problem"),
    "returned_to_sender": lazy_gettext("Returned to the shop"),
}

#: Who did something, when it was not a staff member.
ACTOR_LABELS = {
    "customer": lazy_gettext("Customer"),
    "rules": lazy_gettext("Rules"),
    "system": lazy_gettext("System"),
    "warehouse": lazy_gettext("Warehouse"),
}

#: Timeline entries of cancellations, flows and the warehouse, beyond a return's.
CASE_EVENT_LABELS = {
    "cancellation.requested": lazy_gettext("Cancellation requested"),
    "cancellation.review": lazy_gettext("Sent to a person"),
    "cancellation.pending_stop": lazy_gettext("Warehouse asked to stop the order"),
    "cancellation.cancelled": lazy_gettext("Cancelled and refunded"),
    "cancellation.refused": lazy_gettext("Too late to stop: a return is offered"),
    "cancellation.rejected": lazy_gettext("Cancellation turned down"),
    "warehouse.stopped": lazy_gettext("The warehouse stopped the order"),
    "warehouse.not_stopped": lazy_gettext("The warehouse could not stop the order"),
    "shopify.order_cancelled": lazy_gettext("Cancelled in Shopify"),
    "shopify.cancel_failed": lazy_gettext("Cancelling in Shopify failed"),
    "shopify.cancel_retried": lazy_gettext("Cancelling in Shopify tried again"),
    "subscription.cancellation_started": lazy_gettext("Subscription cancellation started"),
    "subscription.cancellation_superseded": lazy_gettext("Started again with another reason"),
    "subscription.saved": lazy_gettext("Kept by an offer"),
    "subscription.cancelled": lazy_gettext("Subscription cancelled"),
    "return.review": lazy_gettext("Sent to a person"),
    "label.created": lazy_gettext("Return label created"),
    "pickup.failed": lazy_gettext("Pickup booking failed"),
    "pickup.retried": lazy_gettext("Pickup booking tried again"),
    "exchange.shipment_failed": lazy_gettext("Replacement request failed"),
    "exchange.shipment_retried": lazy_gettext("Replacement request tried again"),
    "stock.restocked": lazy_gettext("Back in stock"),
    "shipment.refused": lazy_gettext("Parcel refused"),
}


def case_label(code: str) -> str:
    """A state, reason or choice of any kind of case, in the page's language."""
    found = CASE_CODE_LABELS.get(code)
    return str(found) if found is not None else code_label(code)


def reason_label(code: str) -> str:
    """Why a customer asked, for a case of any kind, in the page's language."""
    found = REASON_LABELS.get(code)
    return str(found) if found is not None else case_label(code)


class PageWords(dict[str, str]):
    """The words for codes in the page's language: ``words[code]``.

    The catalogue does not change while the app runs, so each code's words are looked up in
    it once per language (``_remembered``), and by a page once.
    """

    def __init__(self, lookup: Callable[[str], str]) -> None:
        super().__init__()
        self.lookup = lookup
        self.language = str(get_locale())

    def __missing__(self, code: str) -> str:
        words = self[code] = in_language(self.lookup, self.language, code)
        return words


def actor_label(actor: str) -> str:
    """Who acted: a staff member or token as recorded, or the words for the rest."""
    found = ACTOR_LABELS.get(actor)
    return str(found) if found is not None else actor


def case_event_label(kind: str) -> str:
    """A timeline entry of any kind of case, in the page's language."""
    found = CASE_EVENT_LABELS.get(kind)
    return str(found) if found is not None else event_label(kind)
