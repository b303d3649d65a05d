"""Bulk product loads from CSV (one row per variant) or JSON lines (one product per line).

Each product is validated by the same schema as the API and committed on its own, so one
bad product is reported and skipped without holding back the rest.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
from marshmallow import ValidationError
from sqlalchemy.orm import Session

from returns_service.bulk_files import Item, csv_groups, jsonl_documents
from returns_service.catalogue.operations import upsert_product
from returns_service.catalogue.schemas import ProductUpsertSchema
from returns_service.errors import InvalidInput
from returns_service.models import utcnow
from returns_service.money import to_minor
from returns_service.orders.bulk_import import ImportReport, Rejected

#: The CSV columns; the price is a decimal number in the currency's major unit (12.50, 1200).
#: Options go in pairs: ``option1_name`` (サイズ) and ``option1_value`` (M), up to three.
CSV_COLUMNS = (
    "product_id",
    "title",
    "product_type",
    "tags",
    "variant_id",
    "sku",
    "variant_title",
    "option1_name",
    "option1_value",
    "option2_name",
    "option2_value",
    "option3_name",
    "option3_value",
    "price",
    "currency",
    "inventory_item_id",
    "stock",
)
REQUIRED_COLUMNS = ("product_id", "title", "variant_id", "price", "currency")


def _csv_variant(row: dict[str, str], index: int) -> tuple[list[str], dict[str, Any]]:
    currency = row["currency"].strip().upper()
    try:
        price = to_minor(row["price"] or "0", currency)
    except ValueError:
        raise ValidationError(
            f"{row['price']!r} is not an amount in {currency!r}", f"variants.{index}.price"
        ) from None
    stock = (row.get("stock") or "").strip()
    if stock and not stock.isdigit():
        raise ValidationError(f"{stock!r} is not a whole number", f"variants.{index}.stock")
    names = [row.get(f"option{n}_name") or "" for n in (1, 2, 3)]
    options = [
        {"name": name, "value": row.get(f"option{n}_value") or ""}
        for n, name in enumerate(names, start=1)
        if name
    ]
    variant = {
        "external_id": row["variant_id"],
        "sku": row.get("sku") or None,
        "title": row.get("variant_title") or "",
        "options": options,
        "price": {"amount": price, "currency": currency},
        "inventory_item_id": row.get("inventory_item_id") or None,
        "stock": int(stock) if stock else None,
    }
    return [name for name in names if name], variant


def _csv_products(path: Path) -> Iterator[Item]:
    for where, product_id, rows in csv_groups(path, REQUIRED_COLUMNS, "product_id"):
        where = f"{where} (product {product_id})"
        first = rows[0]
        try:
            if not product_id.strip():
                raise ValidationError("a product needs a product_id", "product_id")
            option_names: list[str] = []
            variants = []
            for index, row in enumerate(rows):
                names, variant = _csv_variant(row, index)
                option_names += [name for name in names if name not in option_names]
                variants.append(variant)
            document = {
                "title": first["title"],
                "product_type": first.get("product_type") or "",
                "tags": [t.strip() for t in (first.get("tags") or "").split(";") if t.strip()],
                "options": option_names,
                "variants": variants,
            }
            yield where, product_id, document
        except ValidationError as exc:
            yield where, product_id, exc


def import_products(session: Session, path: Path, *, progress: bool = False) -> ImportReport:
    """Load every product in the file; bad ones are reported, good ones committed."""
    if path.suffix.lower() == ".csv":
        items = list(_csv_products(path))
    else:
        items = list(jsonl_documents(path, "product"))
    report = ImportReport()
    schema = ProductUpsertSchema()
    with click.progressbar(items, label="importing products", hidden=not progress) as bar:
        for where, external_id, document in bar:
            try:
                if isinstance(document, Exception):
                    raise document
                upsert_product(session, external_id, schema.load(document), utcnow())
                session.commit()
                report.loaded += 1
            except ValidationError as exc:
                session.rollback()
                messages = exc.normalized_messages()
                report.rejected.append(Rejected(where, json.dumps(messages, ensure_ascii=False)))
            except InvalidInput as exc:
                session.rollback()
                report.rejected.append(Rejected(where, f"{exc.field}: {exc.message}"))
    return report
