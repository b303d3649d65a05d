"""Bulk order loads from CSV (one row per order line) or JSON lines (one order per line).

Each order is validated by the same schema as the API and committed on its own, so one bad
order is reported and skipped without holding back the rest.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from marshmallow import ValidationError
from marshmallow.exceptions import SCHEMA
from sqlalchemy.orm import Session

from returns_service.bulk_files import Item, csv_groups, jsonl_documents
from returns_service.errors import Conflict
from returns_service.models import utcnow
from returns_service.money import to_minor
from returns_service.orders.operations import upsert_order
from returns_service.orders.schemas import ORDER_UPSERT
from returns_service.shop import ShopSettings

#: The CSV columns; amounts are decimal numbers in the currency's major unit (12.50, 1200).
CSV_COLUMNS = (
    "order_id",
    "order_number",
    "placed_at",
    "currency",
    "customer_email",
    "customer_phone",
    "customer_name",
    "customer_locale",
    "financial_status",
    "fulfillment_status",
    "payment_provider",
    "payment_reference",
    "total",
    "shipping",
    "discount",
    "line_id",
    "sku",
    "title",
    "quantity",
    "unit_price",
    "line_discount",
    "product_type",
    "tags",
    "final_sale",
    "tracking_number",
    "carrier",
    "shipment_status",
    "shipped_at",
    "delivered_at",
)
REQUIRED_COLUMNS = (
    "order_id",
    "order_number",
    "placed_at",
    "currency",
    "line_id",
    "title",
    "quantity",
    "unit_price",
    "total",
)


@dataclass
class Rejected:
    """An order that was not loaded, where it was in the file and why."""

    where: str
    reason: str


@dataclass
class ImportReport:
    """What a bulk load did."""

    loaded: int = 0
    rejected: list[Rejected] = field(default_factory=list)


def _money(raw: str, currency: str, column: str) -> dict[str, Any]:
    try:
        return {"amount": to_minor(raw or "0", currency), "currency": currency}
    except ValueError:
        raise ValidationError(f"{raw!r} is not an amount", column) from None


def _csv_order(rows: list[dict[str, str]]) -> tuple[str, dict[str, Any]]:
    first = rows[0]
    if not first["order_id"].strip():
        raise ValidationError("an order needs an order_id", "order_id")
    currency = first["currency"].strip().upper()
    document: dict[str, Any] = {
        "number": first["order_number"],
        "placed_at": first["placed_at"],
        "currency": currency,
        "customer": {
            "email": first.get("customer_email") or None,
            "phone": first.get("customer_phone") or None,
            "name": first.get("customer_name") or "",
            "locale": first.get("customer_locale") or None,
        },
        "payment": {
            "provider": first.get("payment_provider") or "manual",
            "reference": first.get("payment_reference") or None,
        },
        "source": "csv",
        "total": _money(first["total"], currency, "total"),
        "shipping": _money(first.get("shipping", ""), currency, "shipping"),
        "discount": _money(first.get("discount", ""), currency, "discount"),
        "lines": [],
        "shipments": [],
    }
    for key in ("financial_status", "fulfillment_status"):
        if first.get(key):
            document[key] = first[key]
    for row in rows:
        try:
            quantity = int(row["quantity"])
        except ValueError:
            raise ValidationError(
                f"{row['quantity']!r} is not a whole number", "quantity"
            ) from None
        document["lines"].append(
            {
                "external_id": row["line_id"],
                "sku": row.get("sku") or "",
                "title": row["title"],
                "quantity": quantity,
                "unit_price": _money(row["unit_price"], currency, "unit_price"),
                "discount": _money(row.get("line_discount", ""), currency, "line_discount"),
                "product_type": row.get("product_type") or "",
                "tags": [t.strip() for t in (row.get("tags") or "").split(";") if t.strip()],
                "final_sale": (row.get("final_sale") or "").strip().lower() in ("1", "true", "yes"),
            }
        )
        if row.get("tracking_number"):
            document["shipments"].append(
                {
                    "external_id": row["tracking_number"],
                    "tracking_number": row["tracking_number"],
                    "carrier": row.get("carrier") or "",
                    "status": row.get("shipment_status") or "in_transit",
                    "shipped_at": row.get("shipped_at") or None,
                    "delivered_at": row.get("delivered_at") or None,
                    "lines": [{"line_id": row["line_id"], "quantity": quantity}],
                }
            )
    return first["order_id"], document


def _csv_orders(path: Path) -> Iterator[Item]:
    for where, order_id, rows in csv_groups(path, REQUIRED_COLUMNS, "order_id"):
        try:
            external_id, document = _csv_order(rows)
            yield f"{where} (order {order_id})", external_id, document
        except ValidationError as exc:
            yield f"{where} (order {order_id})", order_id, exc


def _reason(error: Exception) -> str:
    if isinstance(error, Conflict):
        return error.message
    if isinstance(error, ValidationError):
        # Normalised, so that an error raised for one column is keyed by that column.
        messages = error.normalized_messages()
        if list(messages) == [SCHEMA]:
            return "; ".join(messages[SCHEMA])
        return json.dumps(messages, ensure_ascii=False)
    return str(error)


def import_file(
    session: Session, path: Path, settings: ShopSettings, *, progress: bool = False
) -> ImportReport:
    """Load every order in the file; bad ones are reported, good ones committed.

    An order its guards refuse (it ships units cancelled and refunded) is reported too.
    """
    if path.suffix.lower() == ".csv":
        items = list(_csv_orders(path))
    else:
        items = list(jsonl_documents(path, "order"))
    report = ImportReport()
    with click.progressbar(items, label="importing orders", hidden=not progress) as bar:
        for where, external_id, document in bar:
            try:
                if isinstance(document, Exception):
                    raise document
                data = ORDER_UPSERT.load(document)
                upsert_order(session, external_id, data, utcnow(), "import", settings)
                session.commit()
                report.loaded += 1
            except (ValidationError, Conflict) as exc:
                session.rollback()
                report.rejected.append(Rejected(where, _reason(exc)))
    return report
