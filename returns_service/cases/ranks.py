"""The work list's ranks, kept on each case's row (``models.Ranked``) as its signals change.

The shop's priority mapping gives a case a rank from its own signals (its reasons, its
state) and from its order's parcels' states; the work list reads its page in the order of
the lesser of the two off an index, instead of working the mapping out for every open case
at every page. The ranks are worked out here, in Python, with the same mapping the case
page uses (:meth:`CasePolicy.base_priority`):

- when a case is written (a plain insert's hook, or the flush that adds it);
- when its state moves (the flush that writes the move);
- when a parcel's state changes the rank of its order's parcels (the flush that writes it);
- for every open case when the shop's mapping changes (``cases.rank_basis``).

Aging (a normal case the shop has held too long counts as high) moves with the clock, so
the list works it out when it reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import case, inspect, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from returns_service.cancellations.models import Cancellation
from returns_service.cases.policy import PRIORITY_RANK, CasePolicy
from returns_service.models import Base
from returns_service.orders.models import Order, Shipment
from returns_service.returns.models import ReturnRequest
from returns_service.shop import EXTENSION_KEY
from returns_service.subscriptions.models import SubscriptionCancellation

#: The kinds of case that keep ranks.
RANKED = (ReturnRequest, Cancellation, SubscriptionCancellation)
#: The kinds whose order's parcels are a signal (a subscription's flow is about the
#: subscription, not a parcel: the case pages leave them out too).
PARCEL_RANKED = (ReturnRequest, Cancellation)


def reasons_of(model: type[Base], kept: str | None) -> list[str]:
    """A case's reasons from what its row keeps: a return's lines' reasons comma-joined,
    else the one reason of the case."""
    if not kept:
        return []
    return str(kept).split(",") if model is ReturnRequest else [str(kept)]


def _own_rank_of(policy: CasePolicy, subject: Any) -> int:
    kept = subject.line_reasons if isinstance(subject, ReturnRequest) else subject.reason
    status = subject.status
    if status is None:  # not written yet: the state its insert will give it
        status = type(subject).__table__.c.status.default.arg
    return own_rank(policy, reasons_of(type(subject), kept), status)


def own_rank(policy: CasePolicy, reasons: Iterable[str], status: Any) -> int:
    """The rank the mapping gives a case's reasons and state."""
    signals = {f"reason:{reason}" for reason in reasons} | {f"status:{status}"}
    return PRIORITY_RANK[policy.base_priority(signals)]


def parcel_rank(policy: CasePolicy, statuses: Iterable[Any]) -> int:
    """The rank the mapping gives the states of an order's parcels."""
    return PRIORITY_RANK[policy.base_priority({f"shipment:{status}" for status in statuses})]


def _policy(session: Session) -> CasePolicy | None:
    """The shop's policy, from the settings the app factory gave the session."""
    settings = session.info.get(EXTENSION_KEY)
    return None if settings is None else CasePolicy.from_config(settings.config)


def _parcel_statuses(session: Session, order_id: int, order: Order | None) -> list[Any]:
    """The states of an order's parcels: from the order where its parcels are loaded."""
    # Looked up in the object's values: inspecting its attributes builds a state for each.
    if order is not None and "shipments" in inspect(order).dict:
        return [shipment.status for shipment in order.shipments]
    return list(session.scalars(select(Shipment.status).where(Shipment.order_id == order_id)))


def _loaded_order(subject: Any) -> Order | None:
    return inspect(subject).dict.get("order")


def rank_new(session: Session, subjects: Sequence[Base]) -> None:
    """Give new cases their ranks before they are written."""
    policy = _policy(session)
    if policy is None:
        return
    for subject in subjects:
        _rank_whole(session, policy, subject)


def _rank_whole(session: Session, policy: CasePolicy, subject: Any) -> None:
    subject.own_rank = _own_rank_of(policy, subject)
    if isinstance(subject, PARCEL_RANKED):
        statuses = _parcel_statuses(session, subject.order_id, _loaded_order(subject))
        subject.parcel_rank = parcel_rank(policy, statuses)
    else:
        subject.parcel_rank = parcel_rank(policy, [])
    subject.signal_rank = min(subject.own_rank, subject.parcel_rank)


def keep_ranks(session: Session, _flush_context: Any, _instances: Any) -> None:
    """Before a flush: rank what it adds, re-rank the cases whose state it moves, and the
    cases of an order whose parcels' rank it changes."""
    policy = _policy(session)
    if policy is None:
        return
    moved_parcels: dict[int, Order] = {}
    for shipment in (*session.new, *session.dirty):
        if isinstance(shipment, Shipment) and _changed(shipment, "status"):
            order = shipment.order
            if order is not None and inspect(order).persistent:
                moved_parcels[order.id] = order
    for order in moved_parcels.values():
        _rerank_parcels(session, policy, order)
    for subject in session.new:
        if isinstance(subject, RANKED):
            _rank_whole(session, policy, subject)
    for subject in session.dirty:
        if isinstance(subject, RANKED) and _changed(subject, "status"):
            subject.own_rank = _own_rank_of(policy, subject)
            subject.signal_rank = min(subject.own_rank, subject.parcel_rank)


def _changed(subject: Any, key: str) -> bool:
    return inspect(subject).attrs[key].history.has_changes()


def _rerank_parcels(session: Session, policy: CasePolicy, order: Order) -> None:
    """Where the flush changes the rank of an order's parcels, write it on the order's
    cases (one statement per kind: a parcel seldom moves the rank)."""
    before, after = [], []
    for shipment in order.shipments:
        history = inspect(shipment).attrs.status.history
        after.append(shipment.status)
        if history.deleted:
            before.extend(history.deleted)
        elif not inspect(shipment).pending:
            before.append(shipment.status)
    rank = parcel_rank(policy, after)
    if rank == parcel_rank(policy, before):
        return
    connection = session.connection()
    for model in PARCEL_RANKED:
        connection.execute(
            update(model)
            .where(model.order_id == order.id)
            .values(
                parcel_rank=rank,
                signal_rank=case((model.own_rank < rank, model.own_rank), else_=rank),
            )
        )
    # The session's copies of those cases read as the database now holds them.
    for held in list(session.identity_map.values()):
        if isinstance(held, PARCEL_RANKED) and held.order_id == order.id:
            set_committed_value(held, "parcel_rank", rank)
            set_committed_value(held, "signal_rank", min(held.own_rank, rank))
