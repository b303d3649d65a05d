"""Refund use cases: how much is owed, recording a refund, settling it."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, case, func, literal, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from returns_service import outbox
from returns_service.drawn_keys import drawn_key, keep_spare_key
from returns_service.errors import Conflict, InvalidInput, NotFound
from returns_service.events import Event, record_event
from returns_service.models import kept_in_transaction, reading_only
from returns_service.money import format_money
from returns_service.orders.models import FinancialStatus, Order
from returns_service.plain_inserts import insert_keyed
from returns_service.portable_sql import one_of
from returns_service.refunds import notices
from returns_service.refunds.models import (
    Refund,
    RefundMethod,
    RefundStatus,
    StoreCreditAccount,
    StoreCreditEntry,
)
from returns_service.refunds.providers import RETRIED, staff_retries

#: The kind of the refunds created in a transaction (see kept_in_transaction).
_CREATED = "refunds"
#: Refunds still on their way count against what may be refunded.
OPEN_STATUSES = (RefundStatus.PENDING, RefundStatus.PROCESSING)


def share_of_line(line_total: int, line_quantity: int, quantity: int) -> int:
    """What ``quantity`` of a line's units cost after discounts (the last unit takes the rest).

    Splitting 1000 yen over 3 units gives 333, 333, 334: the units refunded so far never
    add up to more than the line cost.
    """
    if quantity >= line_quantity:
        return line_total
    return line_total * quantity // line_quantity


def refunds_named(session: Session, events: Iterable[Event]) -> list[Refund]:
    """The refunds a timeline's ``refund.created`` events name, oldest first.

    For a subject created in this transaction, these are all its refunds (those created in
    the transaction are kept in it: no statement is sent for them).
    """
    created = {refund.id: refund for refund in kept_in_transaction(session, _CREATED)}
    return [
        created.get(event.data["refund_id"]) or session.get_one(Refund, event.data["refund_id"])
        for event in events
        if event.kind == "refund.created"
    ]


#: What an order's refunds still on their way add up to; built once (building a statement
#: costs more than running it from the statement cache).
_IN_FLIGHT = select(func.coalesce(func.sum(Refund.amount), 0)).where(
    Refund.order_id == bindparam("order_id"),
    one_of(Refund.status, OPEN_STATUSES)
    | ((Refund.status == RefundStatus.FAILED) & Refund.outcome_unknown),
)


#: What an order's refunds still on their way add up to, for a use case's first read under
#: the order's lock (the order bound as ``order_id``); give its value to :func:`note_in_flight`.
IN_FLIGHT_COLUMN = _IN_FLIGHT.scalar_subquery().label("refunds_in_flight")
#: What an order was paid and refunded and its refunds on their way, its row locked.
_LOCKED_BALANCE = (
    select(Order.total_amount, Order.refunded_amount, IN_FLIGHT_COLUMN)
    .where(Order.id == bindparam("order_id"))
    .with_for_update(of=Order)
)
#: A new refund's key, drawn with a use case's first read under the order's lock on
#: PostgreSQL; give its value to :func:`keep_refund_key`.
REFUND_KEY_COLUMN = drawn_key(Refund.__table__).label("refund_key")  # type: ignore[arg-type]
#: The kind of the reads noted by :func:`note_in_flight` (see kept_in_transaction).
_IN_FLIGHT_READ = "refunds_in_flight"


class _InFlightRead(NamedTuple):
    """An order's refunds on their way as read under its lock, and how many refunds the
    transaction had created by then (those after it are added to it)."""

    order_id: int
    amount: int
    created_before: int


def _on_its_way(refund: Refund) -> bool:
    """Whether a refund counts against the balance: :data:`_IN_FLIGHT`'s condition, for the
    refunds a transaction created since it noted that read."""
    return refund.status in OPEN_STATUSES or (
        refund.status is RefundStatus.FAILED and refund.outcome_unknown
    )


def keep_refund_key(session: Session, key: int) -> None:
    """Keep a key read in :data:`REFUND_KEY_COLUMN` for a refund the transaction may make
    (see :func:`~returns_service.drawn_keys.keep_spare_key`): made at once, it then sends no
    statement for its key."""
    keep_spare_key(session, Refund.__table__, key)  # type: ignore[arg-type]


def note_in_flight(session: Session, order: Order, in_flight: int | None) -> None:
    """Keep what the order's refunds on their way came to (:data:`IN_FLIGHT_COLUMN`), read
    while the transaction holds the order's row lock, for the rest of the transaction.

    :func:`refundable_balance` then reads nothing: while that lock is held, no other
    transaction can add a refund of the order (each takes the lock before it reads the
    balance, and its insert's foreign key check waits for the lock anyway) or mark one paid
    (which updates the order's row), and the refunds this transaction creates are added to
    what was read. A refund failing meanwhile only lowers the sum.
    """
    created = kept_in_transaction(session, _CREATED)
    read = _InFlightRead(order.id, int(in_flight or 0), len(created))
    kept_in_transaction(session, _IN_FLIGHT_READ).append(read)


def _noted_in_flight(session: Session, order: Order) -> int | None:
    for read in reversed(kept_in_transaction(session, _IN_FLIGHT_READ)):
        if read.order_id == order.id:
            created_since = kept_in_transaction(session, _CREATED)[read.created_before :]
            return read.amount + sum(
                r.amount for r in created_since if r.order_id == order.id and _on_its_way(r)
            )
    return None


def refundable_balance(session: Session, order: Order) -> int:
    """Paid, minus refunded, minus refunds still on their way, under the order's row lock.

    A use case that holds the lock and noted what was on its way (:func:`note_in_flight`)
    reads nothing more. Any other (a return settled by staff, the warehouse or a carrier's
    scan, which lock the return only) takes the order's lock here and reads the order's
    amounts afresh: two refunds of one order are then capped one after the other, the
    second seeing the first.
    """
    noted = _noted_in_flight(session, order)
    if noted is not None:
        return max(order.total_amount - order.refunded_amount - noted, 0)
    with reading_only(session, Refund, Order):  # an amount changed here is read as changed
        paid, refunded, in_flight = session.execute(_LOCKED_BALANCE, {"order_id": order.id}).one()
    return max(paid - refunded - int(in_flight or 0), 0)


def create_refund(
    session: Session,
    now: datetime,
    *,
    order: Order,
    amount: int,
    method: RefundMethod,
    actor: str,
    return_id: int | None = None,
    cancellation_id: int | None = None,
    bonus: int = 0,
) -> Refund | None:
    """Record a refund, capped at the refundable balance, and queue the job that pays it.

    The caller must hold the order's row lock, so that two refunds of one order are
    capped one after the other. Returns None when nothing is owed. ``bonus`` is store
    credit the shop adds on top; it is not money paid back, so it is not capped.
    """
    if amount > 0:  # nothing owed needs no balance
        amount = min(amount, refundable_balance(session, order))
    if amount <= 0:
        return None
    provider = "store_credit" if method is RefundMethod.STORE_CREDIT else order.payment_provider
    row = {
        "order_id": order.id,
        "return_id": return_id,
        "cancellation_id": cancellation_id,
        "amount": amount,
        "currency": order.currency,
        "method": method,
        "provider": provider,
        "created_at": now,
    }
    # Its id is needed now (its lines, its job and its event name it); its row goes with the
    # use case's other changes in their one flush.
    refund = insert_keyed(session, Refund, row)
    set_committed_value(refund, "order", order)  # a row waiting for the flush loads nothing
    kept_in_transaction(session, _CREATED).append(refund)
    if method is RefundMethod.STORE_CREDIT:
        outbox.record(session, "issue_store_credit", now, refund_id=refund.id, bonus=bonus)
    else:
        outbox.record(session, "issue_refund", now, refund_id=refund.id)
    subject_type, subject_id = (
        ("return", return_id) if return_id is not None else ("cancellation", cancellation_id)
    )
    record_event(
        session,
        subject_type=subject_type,
        subject_id=subject_id or order.id,
        order_id=order.id,
        kind="refund.created",
        actor=actor,
        now=now,
        refund_id=refund.id,
        amount=amount,
        currency=order.currency,
        method=method.value,
    )
    return refund


def store_credit_account(session: Session, customer_id: int, currency: str) -> StoreCreditAccount:
    """The customer's store-credit account, opened with a fresh code on first use."""
    account = session.scalar(
        select(StoreCreditAccount).where(StoreCreditAccount.customer_id == customer_id)
    )
    if account is None:
        code = "SC-" + secrets.token_hex(5).upper()
        account = StoreCreditAccount(customer_id=customer_id, code=code, currency=currency)
        session.add(account)
        session.flush()
    return account


def credit_balance(session: Session, account: StoreCreditAccount) -> int:
    """The sum of an account's ledger."""
    total = session.scalar(
        select(func.coalesce(func.sum(StoreCreditEntry.amount), 0)).where(
            StoreCreditEntry.account_id == account.id
        )
    )
    return int(total or 0)


def redeem_store_credit(
    session: Session, code: str, amount: int, now: datetime, note: str = ""
) -> StoreCreditEntry:
    """Spend store credit by its code; refuses more than the balance."""
    if amount <= 0:
        raise InvalidInput("the amount must be positive", field="amount")
    account = session.scalar(
        select(StoreCreditAccount).where(StoreCreditAccount.code == code).with_for_update()
    )
    if account is None:
        raise NotFound(f"no store credit with code {code!r}", field="code")
    balance = credit_balance(session, account)
    if amount > balance:
        raise Conflict(f"the balance of {code} is {balance}, less than {amount}")
    entry = StoreCreditEntry(account_id=account.id, amount=-amount, note=note, created_at=now)
    session.add(entry)
    return entry


#: A settled refund added to its order's refunded amount, in the UPDATE itself: the order's
#: row is not locked while its refunds are paid, so two refunds of one order settled at
#: once each add theirs to what the other committed. Built once.
_ADD_REFUNDED = (
    update(Order)
    .where(Order.id == bindparam("order_id"))
    .values(
        refunded_amount=Order.refunded_amount + bindparam("amount"),
        financial_status=case(
            (
                Order.refunded_amount + bindparam("amount") >= Order.total_amount,
                literal(FinancialStatus.REFUNDED, Order.financial_status.type),
            ),
            else_=literal(FinancialStatus.PARTIALLY_REFUNDED, Order.financial_status.type),
        ),
        updated_at=bindparam("now"),
    )
    .returning(Order.refunded_amount, Order.financial_status)
)


def _add_refunded(session: Session, now: datetime, order: Order, amount: int) -> None:
    """Count a refund paid against its order; the order in the session shows the new
    amount without a flush of its own (the UPDATE runs on the session's connection)."""
    parameters = {"order_id": order.id, "amount": amount, "now": now}
    refunded, financial_status = session.connection().execute(_ADD_REFUNDED, parameters).one()
    set_committed_value(order, "refunded_amount", refunded)
    set_committed_value(order, "financial_status", financial_status)
    set_committed_value(order, "updated_at", now)


def settle_refund(
    session: Session,
    now: datetime,
    refund: Refund,
    status: RefundStatus,
    failure_reason: str | None,
    **event_data: Any,
) -> None:
    """Record what the provider said about a refund; a success counts against the order.

    ``event_data`` goes on the timeline event (for a failure: whether the provider answered
    definitively, which decides the idempotency key of a retry).
    """
    if refund.status is status:
        return
    refund.status = status
    refund.outcome_unknown = status is RefundStatus.FAILED and event_data.get("definitive") is False
    order = refund.order
    if status is RefundStatus.SUCCEEDED:
        refund.issued_at = now
        _add_refunded(session, now, order, refund.amount)
    elif status is RefundStatus.FAILED:
        refund.failure_reason = failure_reason or "the payment provider refused the refund"
    subject_type, subject_id = refund.subject
    record_event(
        session,
        subject_type=subject_type,
        subject_id=subject_id,
        order_id=order.id,
        kind=f"refund.{status.value}",
        actor="system",
        now=now,
        message=(refund.failure_reason or "") if status is RefundStatus.FAILED else "",
        refund_id=refund.id,
        amount=refund.amount,
        currency=refund.currency,
        provider=refund.provider,
        **event_data,
    )
    if status is RefundStatus.SUCCEEDED:
        notices.refund_issued(session, now, refund)


def refund_job_gave_up(
    session: Session, now: datetime, refund_id: int, error: str, bonus: int = 0
) -> None:
    """The job paying a refund failed for good: the refund shows it, for staff to retry.

    The provider never gave a definitive answer (it was unreachable, timed out or answered
    5xx, or the job could not run), so a retry keeps the idempotency key: if the money did
    go out, the provider answers the retry with that refund instead of paying again.
    """
    refund = session.get(Refund, refund_id, with_for_update=True)
    if refund is None or refund.status is not RefundStatus.PENDING:
        return
    reason = f"the refund could not be sent: {error.splitlines()[-1] if error else 'unknown'}"
    settle_refund(
        session, now, refund, RefundStatus.FAILED, reason[:1000], definitive=False, bonus=bonus
    )


def _last_failure(session: Session, refund: Refund) -> dict[str, Any]:
    """The data of the refund's latest ``refund.failed`` event."""
    failures = session.scalars(
        select(Event.data)
        .where(Event.order_id == refund.order_id, Event.kind == "refund.failed")
        .order_by(Event.id.desc())
    )
    return next((data for data in failures if data.get("refund_id") == refund.id), {})


def _record(session: Session, now: datetime, refund: Refund, kind: str, **data: Any) -> None:
    subject_type, subject_id = refund.subject
    record_event(
        session,
        subject_type=subject_type,
        subject_id=subject_id,
        order_id=refund.order_id,
        kind=kind,
        now=now,
        refund_id=refund.id,
        **data,
    )


def mark_refund_done(
    session: Session,
    now: datetime,
    refund: Refund,
    *,
    actor: str,
    reference: str | None = None,
    message: str = "",
) -> None:
    """Staff paid a manual refund by hand: it succeeds, and the customer is told."""
    if refund.provider != "manual" or refund.status is not RefundStatus.PROCESSING:
        raise Conflict(
            f"refund {refund.id} is a {refund.provider} refund in {refund.status.value}; "
            "only manual refunds waiting for staff (processing) are marked done"
        )
    if reference:
        refund.provider_reference = reference
    _record(session, now, refund, "refund.marked_done", actor=actor, message=message)
    settle_refund(session, now, refund, RefundStatus.SUCCEEDED, None)


def retry_refund(
    session: Session, now: datetime, refund: Refund, *, actor: str, message: str = ""
) -> None:
    """Send a failed refund to its provider again.

    After a definitive refusal it goes under a new idempotency key (the count of
    ``refund.retried`` events that took one, which providers turn into
    ``refund-<id>-<attempt>``); after a job that gave up without an answer, under the same.
    The order's refundable balance is checked again: other refunds
    may have been paid since this one failed.
    """
    if refund.status is not RefundStatus.FAILED:
        raise Conflict(f"refund {refund.id} is {refund.status.value}; only failed refunds retry")
    order = refund.order
    # Read under the order's lock; a refund whose outcome is unknown counts against the
    # balance: not against itself.
    balance = refundable_balance(session, order) + (refund.amount if refund.outcome_unknown else 0)
    if refund.amount > balance:
        raise Conflict(
            f"only {format_money(balance, order.currency)} of order {order.number} is left to "
            f"refund, less than this refund's {format_money(refund.amount, refund.currency)}"
        )
    failure = _last_failure(session, refund)
    # Only a definitive refusal needs a new key; after a timeout or a 5xx the same key lets
    # the provider answer with the refund it may have made.
    new_key = bool(failure.get("definitive", True))
    _record(
        session,
        now,
        refund,
        RETRIED,
        actor=actor,
        message=message,
        attempt=staff_retries(session, refund) + 1,
        new_key=new_key,
        previous_reference=refund.provider_reference,
        previous_failure=refund.failure_reason,
    )
    refund.status = RefundStatus.PENDING
    refund.outcome_unknown = False
    # A late webhook about the failed attempt must not match the new one.
    if new_key:
        refund.provider_reference = None
    refund.failure_reason = None
    if refund.method is RefundMethod.STORE_CREDIT:
        bonus = int(failure.get("bonus", 0))
        outbox.record(session, "issue_store_credit", now, refund_id=refund.id, bonus=bonus)
    else:
        outbox.record(session, "issue_refund", now, refund_id=refund.id)
