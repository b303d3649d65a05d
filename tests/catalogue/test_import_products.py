"""``returns-service import-products FILE``: CSV (a row per variant) and JSON lines."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.catalogue.bulk_import import CSV_COLUMNS
from returns_service.catalogue.models import Product
from returns_service.cli import main
from tests.shop import product_document

StockOf = Callable[[str], tuple[int, int] | None]


def _row(**values: str) -> dict[str, str]:
    return {column: values.get(column, "") for column in CSV_COLUMNS}


def _write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _tee(variant: str, colour: str, size: str, price: str, stock: str) -> dict[str, str]:
    return _row(
        product_id="TEE",
        title="オーガニックコットンTシャツ",
        product_type="apparel",
        tags="apparel;cotton",
        variant_id=f"TEE-{variant}",
        sku=f"TEE-{variant}",
        variant_title=f"{colour} / {size}",
        option1_name="カラー",
        option1_value=colour,
        option2_name="サイズ",
        option2_value=size,
        price=price,
        currency="JPY",
        stock=stock,
    )


def test_csv_loads_products_with_options_and_stock_and_reports_the_bad_one(
    app: Flask, tmp_path: Path, session: Session, stock_of: StockOf
) -> None:
    path = _write_csv(
        tmp_path / "products.csv",
        [
            _tee("WHT-M", "白", "M", "3900", "20"),
            _tee("NVY-M", "紺", "M", "3900", "0"),
            _row(
                product_id="MUG",
                title="波佐見焼マグ",
                variant_id="MUG",
                sku="MUG",
                price="1,320",
                currency="JPY",
            ),
        ],
    )
    result = app.test_cli_runner().invoke(main, ["import-products", str(path)])

    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines()[-1] == "loaded 1 products, rejected 1"
    assert result.stderr.splitlines() == [
        "rejected row 4 (product MUG): "
        + json.dumps({"variants.0.price": ["'1,320' is not an amount in 'JPY'"]})
    ]
    product = session.scalar(select(Product).where(Product.external_id == "TEE"))
    assert (product.title, product.option_names, product.tags) == (
        "オーガニックコットンTシャツ",
        ["カラー", "サイズ"],
        ["apparel", "cotton"],
    )
    assert [(v.sku, v.options, v.price) for v in product.variants] == [
        ("TEE-WHT-M", [{"name": "カラー", "value": "白"}, {"name": "サイズ", "value": "M"}], 3900),
        ("TEE-NVY-M", [{"name": "カラー", "value": "紺"}, {"name": "サイズ", "value": "M"}], 3900),
    ]
    assert (stock_of("TEE-WHT-M"), stock_of("TEE-NVY-M")) == ((20, 0), (0, 0))


def test_csv_without_a_required_column_is_a_usage_error(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "products.csv"
    path.write_text("product_id,title\nTEE,Tシャツ\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(main, ["import-products", str(path)])
    assert result.exit_code == 2
    assert "lacks the CSV columns: variant_id, price, currency" in result.output


def test_jsonl_loads_product_documents_and_names_line_and_field_of_the_bad(
    app: Flask, tmp_path: Path, session: Session, stock_of: StockOf
) -> None:
    bad = product_document()
    bad["variants"][0]["stock"] = -1
    path = tmp_path / "products.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps({"external_id": "P-DNM", **product_document()}, ensure_ascii=False),
                json.dumps({"external_id": "P-BAD", **bad}),
                "not json",
                json.dumps(product_document()),
            ]
        ),
        encoding="utf-8",
    )
    result = app.test_cli_runner().invoke(main, ["import-products", str(path)])

    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == "loaded 1 products, rejected 3"
    rejected = result.stderr.splitlines()
    assert rejected[0].startswith("rejected line 2 (product P-BAD): ")
    assert "variants" in rejected[0] and "stock" in rejected[0]
    assert rejected[1:] == [
        "rejected line 3: " + json.dumps({"_schema": ["not a JSON object"]}),
        "rejected line 4: " + json.dumps({"_schema": ["no external_id"]}),
    ]
    assert stock_of("DNM-32") == (3, 0)
    # Importing again replaces, never duplicates.
    again = app.test_cli_runner().invoke(main, ["import-products", str(path)])
    assert again.stdout.splitlines()[-1] == "loaded 1 products, rejected 3"
    assert len(session.scalars(select(Product)).all()) == 1
