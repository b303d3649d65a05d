"""The order lines a request names by id."""

from __future__ import annotations

from returns_service.errors import InvalidInput
from returns_service.orders.models import Order, OrderLine


def named_line(order: Order, by_id: dict[int, OrderLine], line_id: int, index: int) -> OrderLine:
    """The line the request's ``lines[index]`` names; InvalidInput when the order has none."""
    line = by_id.get(line_id)
    if line is None:
        raise InvalidInput(
            f"order {order.number} has no line {line_id}",
            field=f"lines.{index}.line_id",
            code="no_such_line",
        )
    return line
