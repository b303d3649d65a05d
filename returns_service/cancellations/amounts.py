"""What a cancellation gives back: the lines after discounts, and shipping when it is due.

Everything is integer arithmetic in the currency's minor unit. Amounts are worked out on
the units cancelled so far, before and after this cancellation, and the difference is
what this one refunds: however a line or the shipping is cancelled in pieces, the pieces
add up to exactly what the customer paid for it, never more (the last unit takes the
remainder). The refund itself is capped again at paid minus refunded minus in flight.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from returns_service.orders.models import Order
from returns_service.refunds.operations import share_of_line


class PartialShipping(StrEnum):
    """How much shipping a cancellation that leaves lines on the order gives back."""

    NONE = "none"  # shipping is refunded only with the last units of the order
    PROPORTIONAL = "proportional"  # the cancelled goods' share of the shipping
    FULL = "full"  # all of it, with the first cancellation


@dataclass(frozen=True, slots=True)
class CancellationAmounts:
    """What one cancellation refunds, before the cap at the refundable balance."""

    goods: int
    shipping: int
    #: After it, no unit is left on the order.
    closes_order: bool

    @property
    def total(self) -> int:
        """Goods plus shipping."""
        return self.goods + self.shipping


def net_line_totals(order: Order) -> dict[int, int]:
    """Each line's total after its discounts and its share of the order's discounts.

    A line's ``discount`` normally includes its share of order-level discounts already
    (Shopify allocates them). Any part of the order's discount the lines do not carry is
    spread over them in proportion to their totals, so a shop that sends an order-level
    discount alone is refunded correctly too.
    """
    lines = sorted(order.lines, key=lambda line: line.id)
    totals = {line.id: max(line.total, 0) for line in lines}
    gross = sum(totals.values())
    unallocated = min(order.discount_amount - sum(line.discount for line in lines), gross)
    if unallocated <= 0:
        return totals
    net = {}
    running = 0
    allocated = 0
    for line in lines:
        running += totals[line.id]
        # Cumulative floors: the shares add up to the discount exactly.
        allocated_so_far = unallocated * running // gross
        net[line.id] = totals[line.id] - (allocated_so_far - allocated)
        allocated = allocated_so_far
    return net


def _goods(
    net: Mapping[int, int], quantities: Mapping[int, int], cancelled: Mapping[int, int]
) -> int:
    return sum(
        share_of_line(net[line_id], quantities[line_id], units)
        for line_id, units in cancelled.items()
        if units > 0
    )


def cancellation_amounts(
    order: Order,
    *,
    before: Mapping[int, int],
    cancelling: Mapping[int, int],
    shipping_refunded_before: int,
    partial_shipping: PartialShipping,
) -> CancellationAmounts:
    """What cancelling ``cancelling`` units per order line gives back.

    ``before`` holds the units of each line cancelled earlier, and
    ``shipping_refunded_before`` the shipping those cancellations gave back.
    """
    net = net_line_totals(order)
    quantities = {line.id: line.quantity for line in order.lines}
    after = {line_id: before.get(line_id, 0) + cancelling.get(line_id, 0) for line_id in quantities}
    goods_before = _goods(net, quantities, before)
    goods_after = _goods(net, quantities, after)
    closes_order = all(after[line_id] >= quantity for line_id, quantity in quantities.items())
    shipping = order.shipping_amount
    goods_total = sum(net.values())
    if closes_order or partial_shipping is PartialShipping.FULL:
        shipping_due = shipping
    elif partial_shipping is PartialShipping.PROPORTIONAL and goods_total > 0:
        shipping_due = shipping * goods_after // goods_total
    else:
        shipping_due = 0
    return CancellationAmounts(
        goods=goods_after - goods_before,
        shipping=max(shipping_due - shipping_refunded_before, 0),
        closes_order=closes_order,
    )
