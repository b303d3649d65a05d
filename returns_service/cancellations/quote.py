"""What a cancellation takes off an order and gives back: the units still left to cancel,
the lines a request asks for, and the amounts of cancelling them.

Functions that read what the order still holds need the caller to hold its row lock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ScalarSelect, String, bindparam, cast, func, select
from sqlalchemy.orm import Session

from returns_service.cancellations.amounts import (
    CancellationAmounts,
    PartialShipping,
    cancellation_amounts,
)
from returns_service.cancellations.models import (
    OPEN_STATUSES,
    Cancellation,
    CancellationLine,
    CancellationStatus,
)
from returns_service.errors import Conflict
from returns_service.models import reading_only
from returns_service.orders.lines import named_line
from returns_service.orders.models import Order
from returns_service.portable_sql import constant, one_of

#: Built once: building a statement costs more than running it from the statement cache.
_UNITS = (
    select(CancellationLine.order_line_id, func.sum(CancellationLine.quantity))
    .join(Cancellation, CancellationLine.cancellation_id == Cancellation.id)
    .where(
        Cancellation.order_id == bindparam("order_id"),
        Cancellation.status.in_(bindparam("statuses", expanding=True)),
    )
    .group_by(CancellationLine.order_line_id)
)
_UNITS_OF_OTHERS = _UNITS.where(Cancellation.id != bindparam("excluding"))
_SHIPPING_REFUNDED = select(func.coalesce(func.sum(Cancellation.shipping_amount), 0)).where(
    Cancellation.order_id == bindparam("order_id"),
    Cancellation.status == CancellationStatus.CANCELLED,
)
#: What :func:`units_left` counts as taken: units held by cancellations open or settled.
TAKEN = (*OPEN_STATUSES, CancellationStatus.CANCELLED)


@dataclass(frozen=True, slots=True)
class SettledBefore:
    """What the order's settled cancellations took off it and gave back: what a new one's
    amounts are worked out after (see :func:`amounts_for`)."""

    units: Counter[int]
    shipping: int


def units_column(statuses: Iterable[CancellationStatus]) -> ScalarSelect[str | None]:
    """:func:`units_cancelled` as a column (``order_id`` is bound), so that it is read with
    other things in one round trip; read it with
    :func:`~returns_service.returns.quantities.count_units`."""
    pair = (
        cast(CancellationLine.order_line_id, String) + ":" + cast(CancellationLine.quantity, String)
    )
    return (
        select(func.aggregate_strings(pair, constant(",")))
        .join_from(CancellationLine, Cancellation)
        .where(
            Cancellation.order_id == bindparam("order_id"),
            one_of(Cancellation.status, statuses),
        )
        .scalar_subquery()
    )


#: The shipping the order's settled cancellations gave back, as a column.
SHIPPING_REFUNDED_COLUMN = _SHIPPING_REFUNDED.scalar_subquery()


def units_cancelled(
    session: Session,
    order: Order,
    statuses: Iterable[CancellationStatus],
    *,
    excluding: int | None = None,
) -> Counter[int]:
    """Units of each order line held by the order's cancellations in ``statuses``."""
    params = {"order_id": order.id, "statuses": list(statuses)}
    if excluding is None:
        rows = session.execute(_UNITS, params)
    else:
        rows = session.execute(_UNITS_OF_OTHERS, params | {"excluding": excluding})
    return Counter({line_id: int(units) for line_id, units in rows})


def units_left(session: Session, order: Order, taken: Counter[int] | None = None) -> dict[int, int]:
    """Units of each order line that no cancellation, settled or being decided, holds
    (``taken``: those held, when read already)."""
    if taken is None:
        taken = units_cancelled(session, order, TAKEN)
    return {line.id: line.quantity - taken[line.id] for line in order.lines}


def chosen_lines(
    session: Session,
    order: Order,
    lines: list[dict[str, Any]] | None,
    taken: Counter[int] | None = None,
) -> list[CancellationLine]:
    """The units asked for per line (``None``: all still on the order), checked against
    what is left to cancel (see :func:`units_left`); not added to the session. Needs the
    order's row lock."""
    left = units_left(session, order, taken)
    by_id = {line.id: line for line in order.lines}
    if lines is None:
        return [
            CancellationLine(order_line_id=line_id, order_line=by_id[line_id], quantity=units)
            for line_id, units in left.items()
            if units > 0
        ]
    asked: Counter[int] = Counter()
    for index, data in enumerate(lines):
        line = named_line(order, by_id, data["line_id"], index)
        asked[line.id] += data["quantity"]
        if asked[line.id] > left[line.id]:
            raise Conflict(
                f"line {line.id} ({line.title}) has {left[line.id]} units that can still be "
                f"cancelled, {asked[line.id]} asked for",
                field=f"lines.{index}.quantity",
                code="too_many_units",
                left=left[line.id],
            )
    return [
        CancellationLine(order_line_id=line_id, order_line=by_id[line_id], quantity=units)
        for line_id, units in asked.items()
    ]


def amounts_for(
    session: Session,
    order: Order,
    lines: list[CancellationLine],
    partial_shipping: PartialShipping,
    *,
    excluding: int | None,
    before: SettledBefore | None = None,
) -> CancellationAmounts:
    """What cancelling ``lines`` gives back after the order's settled cancellations
    (``excluding`` one of them: the one being settled; ``before``: read already)."""
    if before is None:
        with reading_only(session, Cancellation, CancellationLine):
            shipping = session.scalar(_SHIPPING_REFUNDED, {"order_id": order.id})
            units = units_cancelled(
                session, order, (CancellationStatus.CANCELLED,), excluding=excluding
            )
        before = SettledBefore(units=units, shipping=int(shipping or 0))
    return cancellation_amounts(
        order,
        before=before.units,
        cancelling=Counter({line.order_line.id: line.quantity for line in lines}),
        shipping_refunded_before=before.shipping,
        partial_shipping=partial_shipping,
    )
