"""Swapped parcels (テレコ): two orders packed the same day, each sent the other's item.

When a customer reports a wrong item, the parcels that left the same warehouse on the same
day (in the shop's time zone) are searched for an order that lacked the item this customer
ordered and had either the item they say they received (its SKU, title or barcode named in
their comment) or another variant of the same product (the usual size or colour mix-up).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from returns_service.orders.models import Order, OrderLine, Shipment, ShipmentLine
from returns_service.returns.models import ReturnLine, ReturnRequest

WRONG_ITEM = "WRONG_ITEM"
_BARCODE = re.compile(r"\d{8,14}")


@dataclass(frozen=True)
class Evidence:
    """Why another order is thought to hold this customer's item."""

    order_number: str
    shipment: str
    shipped_at: datetime
    warehouse: str | None
    #: The line of the other order that may be the item this customer received.
    sku: str
    title: str
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """The API's shape."""
        return {
            "order_number": self.order_number,
            "shipment": self.shipment,
            "shipped_at": self.shipped_at.isoformat(),
            "warehouse": self.warehouse,
            "received_sku": self.sku,
            "received_title": self.title,
            "evidence": self.reasons,
        }


def normalise(text: str) -> str:
    """Text as compared: full-width folded to half-width, case and spacing ignored."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "").casefold())


def named_match(said: str, line: OrderLine) -> str | None:
    """How the customer's words name ``line`` (``sku``, ``title`` or ``barcode``), if they do."""
    words = normalise(said)
    if not words:
        return None
    sku = normalise(line.sku)
    if sku and len(sku) >= 3 and sku in words:
        return "sku"
    title = normalise(line.title)
    if title and (title in words or (len(words) >= 3 and words in title)):
        return "title"
    codes = set(_BARCODE.findall(words))
    identifiers = {normalise(v) for v in (line.sku, line.variant_id, line.product_id) if v}
    if codes & identifiers:
        return "barcode"
    return None


def possibly_swapped_with(
    session: Session, request: ReturnRequest, timezone: ZoneInfo
) -> list[Evidence]:
    """Orders that may have received this return's wrongly shipped items, best evidence first."""
    found: dict[tuple[str, str], Evidence] = {}
    for line in request.lines:
        if line.reason != WRONG_ITEM:
            continue
        for shipment in _shipments_with(session, line):
            for evidence in _candidates(session, line, shipment, timezone):
                key = (evidence.order_number, evidence.sku)
                if key not in found:
                    found[key] = evidence
    return sorted(found.values(), key=lambda e: (-len(e.reasons), e.order_number, e.sku))


def _shipments_with(session: Session, line: ReturnLine) -> list[Shipment]:
    return list(
        session.scalars(
            select(Shipment)
            .join(ShipmentLine, ShipmentLine.shipment_id == Shipment.id)
            .where(
                ShipmentLine.order_line_id == line.order_line_id, Shipment.shipped_at.is_not(None)
            )
        )
    )


def _candidates(
    session: Session, line: ReturnLine, shipment: Shipment, timezone: ZoneInfo
) -> list[Evidence]:
    ordered = line.order_line
    day = shipment.shipped_at.astimezone(timezone).date()
    start = datetime.combine(day, time(0), tzinfo=timezone)
    same_warehouse = (
        Shipment.warehouse.is_(None)
        if shipment.warehouse is None
        else Shipment.warehouse == shipment.warehouse
    )
    others = session.scalars(
        select(Shipment)
        .where(
            Shipment.shipped_at >= start,
            Shipment.shipped_at < start + timedelta(days=1),
            same_warehouse,
            Shipment.order_id != shipment.order_id,
        )
        .options(
            selectinload(Shipment.lines).selectinload(ShipmentLine.order_line),
            selectinload(Shipment.order).selectinload(Order.lines),
        )
        .order_by(Shipment.id)
    )
    results = []
    for other in others:
        packed = [sl.order_line for sl in other.lines]
        if any(item.sku == ordered.sku for item in packed):
            continue  # it had the item this customer ordered: not the other half of a swap
        for item in packed:
            reasons = _reasons(line.comment, ordered, item)
            if reasons:
                results.append(
                    Evidence(
                        order_number=other.order.number,
                        shipment=other.tracking_number or other.external_id,
                        shipped_at=other.shipped_at,
                        warehouse=other.warehouse,
                        sku=item.sku,
                        title=item.title,
                        reasons=[
                            f"shipped the same day ({day.isoformat()}) from the same warehouse",
                            f"did not contain {ordered.sku}",
                            *reasons,
                        ],
                    )
                )
    return results


def _reasons(said: str, ordered: OrderLine, item: OrderLine) -> list[str]:
    reasons = []
    how = named_match(said, item)
    if how:
        reasons.append(f"contained {item.sku}, which the customer named by its {how}")
    if ordered.product_id and item.product_id == ordered.product_id:
        reasons.append(f"contained {item.sku}, another variant of the same product")
    return reasons
