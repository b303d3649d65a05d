"""What cancelling reads once it holds the order's lock, in one round trip: the units the
order's cancellations hold, what its settled ones gave back, the customer's history, the
cancellation rules in force, the order's refunds on their way and its parcels (six
statements before); on PostgreSQL also the key of the refund it may make (see
:mod:`~returns_service.drawn_keys`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from returns_service.cancellations.models import CancellationStatus
from returns_service.cancellations.quote import (
    SHIPPING_REFUNDED_COLUMN,
    TAKEN,
    SettledBefore,
    units_column,
)
from returns_service.orders.models import Order
from returns_service.refunds.operations import (
    IN_FLIGHT_COLUMN,
    REFUND_KEY_COLUMN,
    keep_refund_key,
    note_in_flight,
)
from returns_service.returns.facts import HISTORY_COLUMNS, CustomerHistory, history_of
from returns_service.returns.in_force import IN_FORCE_COLUMNS, InForce, rules_in_force
from returns_service.returns.quantities import count_units
from returns_service.returns.with_parcels import read_with_parcels, with_parcels
from rules.facts import Scope


@dataclass(frozen=True, slots=True)
class CancellingPast:
    """What a new cancellation is checked, decided and settled against."""

    #: Units of each line held by the order's cancellations, open or settled.
    taken: Counter[int]
    settled: SettledBefore
    history: CustomerHistory
    rules: InForce


_PAST_COLUMNS = [
    *HISTORY_COLUMNS,
    units_column(TAKEN),
    units_column((CancellationStatus.CANCELLED,)),
    SHIPPING_REFUNDED_COLUMN,
    *IN_FORCE_COLUMNS[Scope.CANCELLATION],
    IN_FLIGHT_COLUMN,
]
#: With the order's parcels (see :mod:`~returns_service.returns.with_parcels`); built once:
#: building a statement costs more than running it from the statement cache.
_PAST = with_parcels(_PAST_COLUMNS, parcel_lines=False)
_PAST_WITH_REFUND_KEY = with_parcels([*_PAST_COLUMNS, REFUND_KEY_COLUMN], parcel_lines=False)


def cancelling_past(session: Session, order: Order, now: datetime) -> CancellingPast:
    """Read under the order's lock, so nothing of it changes before the request is settled;
    the order's parcels come with it."""
    values = {"customer_id": order.customer_id, "since": now - timedelta(days=365)}
    if session.get_bind().dialect.name == "postgresql":
        *past, refund_key = read_with_parcels(session, order, _PAST_WITH_REFUND_KEY, values)
        keep_refund_key(session, refund_key)
    else:
        past = list(read_with_parcels(session, order, _PAST, values))
    orders, returns, taken, cancelled, shipping, version_id, published_at, in_flight = past
    note_in_flight(session, order, in_flight)
    return CancellingPast(
        taken=count_units(taken),
        settled=SettledBefore(units=count_units(cancelled), shipping=int(shipping or 0)),
        history=history_of(orders, returns),
        rules=rules_in_force(session, now, Scope.CANCELLATION, version_id, published_at),
    )
