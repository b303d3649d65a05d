"""What a return gives back, and when: refunds, store credit and replacements by the timing.

The request's timing is the latest of its approved lines' (``on_approval`` <
``on_first_carrier_scan`` < ``on_receipt`` < ``on_inspection``). Each step of the workflow
calls :func:`settle_due` with its stage; lines are settled once, at the first stage at or
after the timing, so a skipped stage (a parcel received with no carrier scan) loses nothing.
From receipt on, only what the warehouse counted is settled: a line received empty is
neither refunded nor replaced, a line received in part is settled for that part.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from returns_service.refunds.models import RefundMethod
from returns_service.refunds.operations import create_refund, share_of_line
from returns_service.returns import exchanges
from returns_service.returns.models import (
    ExchangeStatus,
    LineOutcome,
    Resolution,
    ReturnLine,
    ReturnRequest,
)
from rules.actions import RefundTiming

TIMING_ORDER = ("on_approval", "on_first_carrier_scan", "on_receipt", "on_inspection")
#: At these stages the warehouse has counted what came back: refund what arrived.
_COUNTED = ("on_receipt", "on_inspection")


def request_timing(lines: Iterable[ReturnLine]) -> str:
    """The latest refund timing among lines to be sent back (keep-the-item lines: approval)."""
    timings = [
        (line.action.refund_timing or RefundTiming.ON_INSPECTION).value
        for line in lines
        if line.outcome is LineOutcome.APPROVE
    ]
    return max(timings, key=TIMING_ORDER.index) if timings else "on_approval"


def settle_due(session: Session, now: datetime, request: ReturnRequest, stage: str) -> None:
    """Refund, credit or ship replacements for the approved lines whose time has come."""
    if request.refund_timing is None:
        return
    if TIMING_ORDER.index(stage) < TIMING_ORDER.index(request.refund_timing):
        return
    lines = [line for line in request.lines if line.outcome is LineOutcome.APPROVE]
    counted = stage in _COUNTED
    if request.resolution is Resolution.EXCHANGE:
        if counted:
            exchanges.fit_to_received(session, request, lines)
        shipped = exchanges.request_replacements(session, now, request, lines)
        cheaper = {e.return_line_id for e in shipped if e.price_difference < 0}
        refund_difference(session, now, request, [li for li in lines if li.id in cheaper])
    else:
        refund_lines(session, now, request, lines, counted=counted)


def refund_lines(
    session: Session,
    now: datetime,
    request: ReturnRequest,
    lines: Iterable[ReturnLine],
    *,
    counted: bool = False,
) -> None:
    """Refund lines not refunded yet, after the rules' fees; counted: only units received."""
    due = [line for line in lines if line.refund_id is None]
    amount = 0
    bonus = 0
    for line in due:
        quantity = line.received_quantity if counted else line.quantity
        share = share_of_line(line.order_line.total, line.order_line.quantity, quantity)
        action = line.action
        charged = action.restocking_fee.of(share) if action.restocking_fee else 0
        request.restocking_fee += charged
        amount += share - charged
        bonus += action.bonus_credit.of(share) if action.bonus_credit else 0
    store_credit = request.resolution is Resolution.STORE_CREDIT
    refund = create_refund(
        session,
        now,
        order=request.order,
        amount=amount,
        method=RefundMethod.STORE_CREDIT if store_credit else RefundMethod.ORIGINAL_PAYMENT,
        actor="system",
        return_id=request.id,
        bonus=bonus if store_credit else 0,
    )
    if refund is not None:
        for line in due:
            line.refund_id = refund.id


def refund_difference(
    session: Session, now: datetime, request: ReturnRequest, lines: list[ReturnLine]
) -> None:
    """Refund what cheaper replacements cost less than the returned items."""
    by_line = {e.return_line_id: e for e in request.exchanges}
    due = [
        line
        for line in lines
        if line.refund_id is None and by_line[line.id].status is not ExchangeStatus.RELEASED
    ]
    amount = sum(-by_line[line.id].price_difference for line in due)
    refund = create_refund(
        session,
        now,
        order=request.order,
        amount=amount,
        method=RefundMethod.ORIGINAL_PAYMENT,
        actor="system",
        return_id=request.id,
    )
    if refund is not None:
        for line in due:
            line.refund_id = refund.id
