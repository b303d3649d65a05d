"""A return with all its staff page shows, read for showing only.

The page's busiest reads skip the ORM, as the portal's order read does: building and
tracking an object per return, line, order line, parcel and replacement cost more than
the two statements. What comes back has the mapped classes' attribute names (the
columns' own), so the page, its forms and the case read it as they read a
``ReturnRequest``; nothing here can be changed or saved.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from sqlalchemy import Connection, Table, and_, bindparam, select, true

from returns_service.cases.models import CaseFile
from returns_service.errors import NotFound
from returns_service.orders.models import Customer, Order, OrderLine, Shipment
from returns_service.returns.models import Exchange, Pickup, ReturnLine, ReturnRequest
from returns_service.returns.order_snapshot import Slicer, add_line, column_keys
from returns_service.staff.case_context import RETURN_HISTORY


def _table(model: type[Any]) -> Table:
    return model.__table__  # type: ignore[no-any-return]


_RETURNS, _FILES, _PICKUPS = _table(ReturnRequest), _table(CaseFile), _table(Pickup)
_ORDERS, _CUSTOMERS, _SHIPMENTS = _table(Order), _table(Customer), _table(Shipment)
_ORDER_LINES, _LINES, _EXCHANGES = _table(OrderLine), _table(ReturnLine), _table(Exchange)

_HISTORY = RETURN_HISTORY.subquery("history")

#: The return with its case's file, its pickup, its order and customer, a row per parcel
#: of the order (an order has few), each with the customer's history (one row, joined to
#: every row). Built once: only the RMA changes between pages.
_RETURN_WITH_ORDER = (
    select(
        *_RETURNS.c,
        *_FILES.c,
        *_PICKUPS.c,
        *_ORDERS.c,
        *_CUSTOMERS.c,
        *_SHIPMENTS.c,
        *_HISTORY.c,
    )
    .join_from(_RETURNS, _ORDERS, _ORDERS.c.id == _RETURNS.c.order_id)
    .join(_HISTORY, true())
    .outerjoin(
        _FILES,
        and_(_FILES.c.subject_type == "return", _FILES.c.subject_id == _RETURNS.c.id),
    )
    .outerjoin(_PICKUPS, _PICKUPS.c.return_id == _RETURNS.c.id)
    .outerjoin(_CUSTOMERS, _CUSTOMERS.c.id == _ORDERS.c.customer_id)
    .outerjoin(_SHIPMENTS, _SHIPMENTS.c.order_id == _ORDERS.c.id)
    .where(_RETURNS.c.rma == bindparam("rma"))
    .order_by(_SHIPMENTS.c.id)
)
_RETURN_PARTS = Slicer(
    *map(
        column_keys,
        (_RETURNS.c, _FILES.c, _PICKUPS.c, _ORDERS.c, _CUSTOMERS.c, _SHIPMENTS.c, _HISTORY.c),
    )
)

#: The order's lines in order, each with the return's line for it (if any) and that line's
#: replacement (an exchange replaces one line). The order's lines are not joined to the
#: first: each would repeat (and have decoded again) every column of the return and order.
_ORDER_LINES_WITH_RETURNED = (
    select(*_ORDER_LINES.c, *_LINES.c, *_EXCHANGES.c)
    .outerjoin_from(
        _ORDER_LINES,
        _LINES,
        and_(
            _LINES.c.order_line_id == _ORDER_LINES.c.id,
            _LINES.c.return_id == bindparam("request"),
        ),
    )
    .outerjoin(_EXCHANGES, _EXCHANGES.c.return_line_id == _LINES.c.id)
    .where(_ORDER_LINES.c.order_id == bindparam("order"))
    .order_by(_ORDER_LINES.c.id, _LINES.c.id)
)
_LINE_PARTS = Slicer(*map(column_keys, (_ORDER_LINES.c, _LINES.c, _EXCHANGES.c)))


def read_return(connection: Connection, rma: str) -> tuple[Any, Any, Any]:
    """The return (shaped as a ``ReturnRequest`` with its lines, their order lines and
    replacements, its pickup, and its order with lines, parcels and customer), its case's
    file (None before the desk touched it) and its customer's history (for
    ``panel_and_staff``), in two round trips; NotFound if none."""
    rows = connection.execute(_RETURN_WITH_ORDER, {"rma": rma}).all()
    if not rows:
        raise NotFound(f"no return {rma!r}")
    first = rows[0]
    request, file = _RETURN_PARTS.part(first, 0), _RETURN_PARTS.part(first, 1)
    request.pickup = _RETURN_PARTS.part(first, 2)
    order = request.order = _RETURN_PARTS.part(first, 3)
    order.customer = _RETURN_PARTS.part(first, 4)
    order.shipments = [s for s in (_RETURN_PARTS.part(row, 5) for row in rows) if s]
    order.lines, returned, replacements = [], [], {}
    lines = connection.execute(
        _ORDER_LINES_WITH_RETURNED, {"order": order.id, "request": request.id}
    )
    for row in lines:
        order_line = _LINE_PARTS.part(row, 0)
        if not order.lines or order.lines[-1].id != order_line.id:
            add_line(order, order_line)
        line = _LINE_PARTS.part(row, 1)
        if line is not None:
            line.order_line = order.lines[-1]
            returned.append(line)
            replacements[line.id] = _LINE_PARTS.part(row, 2)
    request.lines = sorted(returned, key=attrgetter("id"))
    request.exchanges = [replacements[line.id] for line in request.lines if replacements[line.id]]
    return request, file, _RETURN_PARTS.part(first, 6)
