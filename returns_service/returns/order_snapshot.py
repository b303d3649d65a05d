"""An order as it stands, with the units its returns hold, read for showing only.

The portal's busiest read. It skips the ORM: building and tracking an object per order,
line, parcel and parcel line cost more than the two queries themselves. What it returns
has the mapped classes' attribute names (the columns' own), so the order's schemas and
the eligibility read it as they read an ``Order``; nothing here can be changed or saved.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Column, Connection, Row, Table, bindparam, select

from returns_service.orders.models import Customer, Order, OrderLine, Shipment, ShipmentLine
from returns_service.returns.quantities import count_units, returned_units_column

_ORDERS: Table = Order.__table__  # type: ignore[assignment]
_CUSTOMERS: Table = Customer.__table__  # type: ignore[assignment]
_LINES: Table = OrderLine.__table__  # type: ignore[assignment]
_SHIPMENTS: Table = Shipment.__table__  # type: ignore[assignment]
_SHIPMENT_LINES: Table = ShipmentLine.__table__  # type: ignore[assignment]

#: The order, its customer, what its returns hold (once, not per line) and a row per line.
#: Built once: only the order's id changes between requests.
_ORDER_AND_LINES = (
    select(
        *_ORDERS.c,
        *_CUSTOMERS.c,
        returned_units_column(bindparam("order_id")),
        *_LINES.c,
    )
    .outerjoin_from(_ORDERS, _CUSTOMERS, _CUSTOMERS.c.id == _ORDERS.c.customer_id)
    .outerjoin(_LINES, _LINES.c.order_id == _ORDERS.c.id)
    .where(_ORDERS.c.id == bindparam("order_id"))
    .order_by(_LINES.c.id)
)
#: Its parcels with their lines, a row per parcel line (a parcel without lines: one row).
_PARCELS = (
    select(*_SHIPMENTS.c, *_SHIPMENT_LINES.c)
    .outerjoin_from(_SHIPMENTS, _SHIPMENT_LINES, _SHIPMENT_LINES.c.shipment_id == _SHIPMENTS.c.id)
    .where(_SHIPMENTS.c.order_id == bindparam("order_id"))
    .order_by(_SHIPMENTS.c.id, _SHIPMENT_LINES.c.id)
)


def column_keys(columns: Iterable[Column[Any]]) -> tuple[str, ...]:
    """The attribute names of a table's columns, in the table's order."""
    return tuple(column.key for column in columns)


_ORDER_KEYS = column_keys(_ORDERS.c)
_CUSTOMER_KEYS = column_keys(_CUSTOMERS.c)
_LINE_KEYS = column_keys(_LINES.c)
_SHIPMENT_KEYS = column_keys(_SHIPMENTS.c)
_SHIPMENT_LINE_KEYS = column_keys(_SHIPMENT_LINES.c)


class Slicer:
    """Cuts a joined row into each table's attributes, by the tables' column counts."""

    def __init__(self, *key_groups: Sequence[str]) -> None:
        self.spans = []
        start = 0
        for keys in key_groups:
            self.spans.append((keys, start, start + len(keys)))
            start += len(keys)

    def value(self, row: Row[Any], index: int) -> Any:
        """The value of part ``index`` when it is a single column."""
        return row[self.spans[index][1]]

    def part(self, row: Row[Any], index: int) -> SimpleNamespace | None:
        """Table ``index``'s part of the row; None where an outer join found nothing."""
        keys, start, end = self.spans[index]
        values = row[start:end]
        if values[0] is None:  # the primary key: no row on this side of the join
            return None
        return SimpleNamespace(**dict(zip(keys, values, strict=True)))


#: The model's own formula, read off the class rather than written again.
_LINE_TOTAL = OrderLine.total.fget  # type: ignore[attr-defined]


def add_line(order: Any, line: Any) -> None:
    """Put a line read as a row on its order read as a row, as the ORM would: with its
    ``order`` and the model's ``total``."""
    line.order, line.total = order, _LINE_TOTAL(line)
    order.lines.append(line)


_ORDER_ROW = Slicer(_ORDER_KEYS, _CUSTOMER_KEYS, ("returned",), _LINE_KEYS)
_PARCEL_ROW = Slicer(_SHIPMENT_KEYS, _SHIPMENT_LINE_KEYS)


def order_snapshot(connection: Connection, order_id: int) -> tuple[Any, Counter[int]] | None:
    """The order (read-only, shaped as an ``Order``) and the units its returns hold per
    line id, in two round trips; None when there is no such order.

    The two statements may run outside a transaction: a parcel line whose order line was
    added after the first one read the lines is left out, as the order was read before.
    """
    rows = connection.execute(_ORDER_AND_LINES, {"order_id": order_id}).all()
    if not rows:
        return None
    order = _ORDER_ROW.part(rows[0], 0)
    assert order is not None
    order.customer = _ORDER_ROW.part(rows[0], 1)
    order.lines = []
    lines_by_id = {}
    for row in rows:
        line = _ORDER_ROW.part(row, 3)
        if line is not None:
            add_line(order, line)
            lines_by_id[line.id] = line
    order.shipments = _parcels(connection.execute(_PARCELS, {"order_id": order_id}), lines_by_id)
    return order, count_units(_ORDER_ROW.value(rows[0], 2))


def _parcels(rows: Iterable[Row[Any]], lines_by_id: dict[int, Any]) -> list[Any]:
    shipments: dict[int, Any] = {}
    for row in rows:
        shipment = shipments.get(row[0])
        if shipment is None:
            shipment = shipments[row[0]] = _PARCEL_ROW.part(row, 0)
            shipment.lines = []
        shipment_line = _PARCEL_ROW.part(row, 1)
        if shipment_line is not None and shipment_line.order_line_id in lines_by_id:
            shipment_line.order_line = lines_by_id[shipment_line.order_line_id]
            shipment.lines.append(shipment_line)
    return list(shipments.values())
