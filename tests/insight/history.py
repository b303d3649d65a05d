"""A fixed history of orders and returns, written straight to the database."""

from __future__ import annotations

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from returns_service.orders.models import Order, OrderLine
from returns_service.returns.models import (
    LineOutcome,
    Resolution,
    ReturnLine,
    ReturnMethod,
    ReturnRequest,
    ReturnStatus,
)
from tests.shop import TEST_SHOP

TOKYO = ZoneInfo("Asia/Tokyo")
_numbers = itertools.count(1)


def tokyo(*args: int) -> datetime:
    return datetime(*args, tzinfo=TOKYO)


def sell(session: Session, sku: str, units: int, placed_at: datetime) -> OrderLine:
    """An order of ``units`` of ``sku`` placed at ``placed_at``."""
    number = next(_numbers)
    line = OrderLine(external_id="L1", sku=sku, title=f"{sku} の商品", quantity=units)
    session.add(
        Order(
            external_id=f"H{number}",
            number=f"#H{number}",
            placed_at=placed_at,
            currency="JPY",
            lines=[line],
        )
    )
    session.flush()
    return line


def give_back(
    session: Session,
    line: OrderLine,
    filed_at: datetime,
    *reasons: tuple[str, int, str],
    status: ReturnStatus = ReturnStatus.AWAITING_PARCEL,
) -> ReturnRequest:
    """A return of some units of ``line``: ``(reason, units, comment)`` per return line."""
    number = next(_numbers)
    request = ReturnRequest(
        rma=f"RMA-H{number}",
        order_id=line.order_id,
        status=status,
        resolution=Resolution.REFUND,
        method=ReturnMethod.DROPOFF,
        created_at=filed_at,
        **TEST_SHOP.promised(filed_at),
        line_reasons=",".join(sorted({reason for reason, _, _ in reasons})),
        lines=[
            ReturnLine(
                order_line_id=line.id,
                quantity=units,
                reason=reason,
                comment=comment,
                outcome=LineOutcome.APPROVE,
            )
            for reason, units, comment in reasons
        ],
    )
    session.add(request)
    session.flush()
    return request
