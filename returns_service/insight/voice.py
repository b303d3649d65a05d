"""The customer's voice: returned units, reasons and comments by product over a period.

Read straight from the return lines (the returns domain owns them); the period runs on the
return's filing time, which is indexed, and the product is the order line's SKU, also
indexed. Lines the rules or a person rejected, and returns the customer withdrew, still
count: what a customer says about a product matters whether or not it was taken back.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.orders.models import Order, OrderLine
from returns_service.returns.models import ReturnLine, ReturnRequest

CSV_COLUMNS = (
    "filed_at",
    "rma",
    "order_number",
    "sku",
    "title",
    "reason",
    "quantity",
    "status",
    "comment",
)


@dataclass(frozen=True)
class VoiceFilter:
    """Which return lines to read: a period, and optionally one product and one reason."""

    since: datetime
    until: datetime
    sku: str | None = None
    reason: str | None = None


def voice_lines(session: Session, wanted: VoiceFilter) -> list[dict[str, Any]]:
    """Each returned line in the period with its reason and comment, newest first."""
    query = (
        select(
            ReturnRequest.created_at,
            ReturnRequest.rma,
            Order.number,
            OrderLine.sku,
            OrderLine.title,
            ReturnLine.reason,
            ReturnLine.quantity,
            ReturnRequest.status,
            ReturnLine.comment,
        )
        .join(ReturnRequest, ReturnLine.return_id == ReturnRequest.id)
        .join(OrderLine, ReturnLine.order_line_id == OrderLine.id)
        .join(Order, ReturnRequest.order_id == Order.id)
        .where(ReturnRequest.created_at >= wanted.since, ReturnRequest.created_at < wanted.until)
        .order_by(ReturnRequest.created_at.desc(), ReturnLine.id)
    )
    if wanted.sku:
        query = query.where(OrderLine.sku == wanted.sku)
    if wanted.reason:
        query = query.where(ReturnLine.reason == wanted.reason)
    return [
        {
            "filed_at": filed_at,
            "rma": rma,
            "order_number": number,
            "sku": sku,
            "title": title,
            "reason": reason,
            "quantity": quantity,
            "status": status.value,
            "comment": comment,
        }
        for filed_at, rma, number, sku, title, reason, quantity, status, comment in session.execute(
            query
        )
    ]


def by_product(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Returned units per product, split by reason, with its comments; most returned first."""
    products: dict[str, dict[str, Any]] = {}
    for line in lines:
        product = products.setdefault(
            line["sku"],
            {"sku": line["sku"], "title": line["title"], "units": 0, "reasons": Counter()},
        )
        product["units"] += line["quantity"]
        product["reasons"][line["reason"]] += line["quantity"]
        product.setdefault("comments", [])
        if line["comment"]:
            product["comments"].append(
                {"rma": line["rma"], "reason": line["reason"], "comment": line["comment"]}
            )
    rows = [p | {"reasons": dict(p["reasons"].most_common())} for p in products.values()]
    return sorted(rows, key=lambda row: (-row["units"], row["sku"]))


def to_csv(lines: list[dict[str, Any]], timezone: Any) -> bytes:
    """The lines as CSV in UTF-8 with a byte order mark, so that Excel reads Japanese right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for line in lines:
        filed = line["filed_at"].astimezone(timezone).strftime("%Y-%m-%d %H:%M")
        writer.writerow([filed, *(line[column] for column in CSV_COLUMNS[1:])])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")
