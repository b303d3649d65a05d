"""Bulk order loads from CSV and JSON lines, through the function and the CLI command."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import click
import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from returns_service.cli import main
from returns_service.orders.bulk_import import CSV_COLUMNS, ImportReport, Rejected, import_file
from returns_service.orders.models import Order, OrderSource, ShipmentStatus
from returns_service.shop import shop_settings

HEADER = list(CSV_COLUMNS)


def csv_row(**values: str) -> dict[str, str]:
    return {column: values.get(column, "") for column in HEADER}


SHOP_ROWS = [
    # Order C-1: two lines in yen, the first already on its way.
    csv_row(
        order_id="C-1",
        order_number="#2001",
        placed_at="2025-05-01T12:00:00+09:00",
        currency="jpy",
        customer_email="Taro@Example.jp",
        customer_name="佐藤 太郎",
        financial_status="paid",
        fulfillment_status="shipped",
        payment_provider="sandbox",
        payment_reference="pay_2001",
        total="5500",
        shipping="500",
        discount="0",
        line_id="C-1-1",
        sku="CAP-RED",
        title="キャップ 赤",
        quantity="2",
        unit_price="1500",
        line_discount="0",
        tags="summer; sale",
        final_sale="yes",
        tracking_number="4000-2222-3333",
        carrier="yamato",
        shipment_status="in_transit",
        shipped_at="2025-05-02T09:00:00+09:00",
    ),
    csv_row(
        order_id="C-1",
        order_number="#2001",
        placed_at="2025-05-01T12:00:00+09:00",
        currency="jpy",
        total="5500",
        line_id="C-1-2",
        sku="BAG-TOTE",
        title="トートバッグ",
        quantity="1",
        unit_price="2000",
    ),
    # Order C-2: one line in dollars and cents, reached by phone.
    csv_row(
        order_id="C-2",
        order_number="#2002",
        placed_at="2025-05-03T08:30:00-04:00",
        currency="USD",
        customer_phone="+12125550199",
        customer_locale="en",
        total="12.50",
        line_id="C-2-1",
        sku="PIN-ENAMEL",
        title="Enamel pin",
        quantity="1",
        unit_price="12.50",
        line_discount="0.75",
    ),
    # Order C-3: a quantity that is not a number.
    csv_row(
        order_id="C-3",
        order_number="#2003",
        placed_at="2025-05-04T10:00:00+09:00",
        currency="JPY",
        customer_email="hana@example.jp",
        total="1000",
        line_id="C-3-1",
        title="ハンカチ",
        quantity="x",
        unit_price="1000",
    ),
]


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return path


def jsonl_order(external_id: Any = "J-1") -> dict[str, Any]:
    return {
        "external_id": external_id,
        "number": "#3001",
        "placed_at": "2025-06-01T10:00:00+09:00",
        "currency": "JPY",
        "customer": {"email": "jiro@example.jp"},
        "total": {"amount": 3300, "currency": "JPY"},
        "lines": [
            {
                "external_id": "J-1-1",
                "sku": "SCARF",
                "title": "スカーフ",
                "quantity": 1,
                "unit_price": {"amount": 3300, "currency": "JPY"},
            }
        ],
    }


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def shop_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "orders.csv", SHOP_ROWS)


@pytest.fixture
def shop_jsonl(tmp_path: Path) -> Path:
    without_id = jsonl_order()
    del without_id["external_id"]
    return write_jsonl(
        tmp_path / "orders.jsonl",
        [
            json.dumps(jsonl_order(), ensure_ascii=False),
            json.dumps(without_id, ensure_ascii=False),
            '{"external_id": "J-3", "number": ',
        ],
    )


def test_csv_loads_good_orders_and_reports_the_bad_row(
    shop_csv: Path, session: Session, app: Flask
) -> None:
    report = import_file(session, shop_csv, shop_settings(app))

    assert report == ImportReport(
        loaded=2,
        rejected=[
            Rejected("row 5 (order C-3)", json.dumps({"quantity": ["'x' is not a whole number"]}))
        ],
    )
    session.expire_all()
    orders = {o.external_id: o for o in session.scalars(select(Order))}
    assert sorted(orders) == ["C-1", "C-2"]

    first = orders["C-1"]
    assert (first.number, first.currency, first.source) == ("#2001", "JPY", OrderSource.CSV)
    assert (first.total_amount, first.shipping_amount, first.discount_amount) == (5500, 500, 0)
    assert (first.payment_provider, first.payment_reference) == ("sandbox", "pay_2001")
    assert first.customer is not None
    assert (first.customer.email, first.customer.name) == ("taro@example.jp", "佐藤 太郎")
    assert [
        (line.external_id, line.sku, line.quantity, line.unit_price, line.tags, line.is_final_sale)
        for line in first.lines
    ] == [
        ("C-1-1", "CAP-RED", 2, 1500, ["summer", "sale"], True),
        ("C-1-2", "BAG-TOTE", 1, 2000, [], False),
    ]
    [shipment] = first.shipments
    assert (shipment.carrier, shipment.tracking_number, shipment.status) == (
        "yamato",
        "4000-2222-3333",
        ShipmentStatus.IN_TRANSIT,
    )
    assert [(sl.order_line.external_id, sl.quantity) for sl in shipment.lines] == [("C-1-1", 2)]

    second = orders["C-2"]
    assert (second.currency, second.total_amount) == ("USD", 1250)
    assert [(line.unit_price, line.discount) for line in second.lines] == [(1250, 75)]
    assert second.customer is not None
    assert (second.customer.email, second.customer.phone) == (None, "+12125550199")


@pytest.mark.parametrize("amount", ["12,50", "1e40", "100000000000000000"])
def test_csv_row_with_bad_amount_names_the_column(
    tmp_path: Path, session: Session, app: Flask, amount: str
) -> None:
    row = dict(SHOP_ROWS[2], unit_price=amount)
    path = write_csv(tmp_path / "orders.csv", [row])

    report = import_file(session, path, shop_settings(app))

    assert report.loaded == 0
    assert report.rejected == [
        Rejected("row 2 (order C-2)", json.dumps({"unit_price": [f"{amount!r} is not an amount"]}))
    ]
    assert session.scalars(select(Order)).all() == []


def test_csv_schema_errors_are_reported_with_the_rows(
    tmp_path: Path, session: Session, app: Flask
) -> None:
    rows = [dict(SHOP_ROWS[0], placed_at="2025-05-01 12:00"), SHOP_ROWS[1]]
    path = write_csv(tmp_path / "orders.csv", rows)

    report = import_file(session, path, shop_settings(app))

    assert report.loaded == 0
    assert report.rejected == [
        Rejected("rows 2-3 (order C-1)", json.dumps({"placed_at": ["Not a valid aware datetime."]}))
    ]


def test_csv_short_row_is_rejected_not_fatal(tmp_path: Path, session: Session, app: Flask) -> None:
    path = write_csv(tmp_path / "orders.csv", [SHOP_ROWS[2]])
    with path.open("a", encoding="utf-8") as handle:
        handle.write("C-9,#2009\n")  # a row cut short: only two of its columns

    report = import_file(session, path, shop_settings(app))

    assert report.loaded == 1
    assert report.rejected == [
        Rejected("row 3 (order C-9)", json.dumps({"quantity": ["'' is not a whole number"]}))
    ]


def test_csv_row_without_order_id_is_rejected(tmp_path: Path, session: Session, app: Flask) -> None:
    path = write_csv(tmp_path / "orders.csv", [dict(SHOP_ROWS[2], order_id=" ")])

    report = import_file(session, path, shop_settings(app))

    assert report.loaded == 0
    assert report.rejected == [
        Rejected("row 2 (order  )", json.dumps({"order_id": ["an order needs an order_id"]}))
    ]
    assert session.scalars(select(Order)).all() == []


def test_csv_without_a_required_column_is_a_usage_error(
    tmp_path: Path, session: Session, app: Flask
) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("order_id,order_number\nC-1,#1\n", encoding="utf-8")

    with pytest.raises(
        click.UsageError, match="lacks the CSV columns: placed_at, currency, line_id"
    ):
        import_file(session, path, shop_settings(app))


def test_jsonl_loads_good_lines_and_reports_the_bad_ones(
    shop_jsonl: Path, session: Session, app: Flask
) -> None:
    report = import_file(session, shop_jsonl, shop_settings(app))

    assert report == ImportReport(
        loaded=1,
        rejected=[
            Rejected("line 2", "no external_id"),
            Rejected("line 3", "not a JSON object"),
        ],
    )
    order = session.scalars(select(Order)).one()
    assert (order.external_id, order.number, order.total_amount) == ("J-1", "#3001", 3300)
    assert order.source is OrderSource.API


def test_jsonl_empty_or_null_external_id_is_rejected(
    tmp_path: Path, session: Session, app: Flask
) -> None:
    path = write_jsonl(
        tmp_path / "orders.jsonl",
        [json.dumps(jsonl_order(None)), "", json.dumps(jsonl_order("")), "[1, 2]"],
    )

    report = import_file(session, path, shop_settings(app))

    assert report == ImportReport(
        loaded=0,
        rejected=[
            Rejected("line 1", "no external_id"),
            Rejected("line 3", "no external_id"),
            Rejected("line 4", "not a JSON object"),
        ],
    )
    assert session.scalars(select(Order)).all() == []


def test_jsonl_schema_error_names_line_order_and_field(
    tmp_path: Path, session: Session, app: Flask
) -> None:
    document = jsonl_order("J-5")
    document["lines"][0]["quantity"] = 0
    path = write_jsonl(tmp_path / "orders.jsonl", [json.dumps(document)])

    report = import_file(session, path, shop_settings(app))

    assert report.rejected == [
        Rejected(
            "line 1 (order J-5)",
            json.dumps({"lines": {"0": {"quantity": ["Must be greater than or equal to 1."]}}}),
        )
    ]


def test_import_twice_replaces_instead_of_duplicating(
    shop_csv: Path, session: Session, app: Flask
) -> None:
    import_file(session, shop_csv, shop_settings(app))
    again = import_file(session, shop_csv, shop_settings(app))

    assert again.loaded == 2
    assert session.scalars(select(Order.external_id).order_by(Order.external_id)).all() == [
        "C-1",
        "C-2",
    ]


def test_cli_import_csv_reports_and_exits_1(app: Flask, shop_csv: Path, session: Session) -> None:
    result = app.test_cli_runner().invoke(main, ["import-orders", str(shop_csv)])

    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines()[-1] == "loaded 2 orders, rejected 1"
    assert result.stderr.splitlines() == [
        "rejected row 5 (order C-3): " + json.dumps({"quantity": ["'x' is not a whole number"]})
    ]
    assert session.scalars(select(Order.external_id).order_by(Order.external_id)).all() == [
        "C-1",
        "C-2",
    ]


def test_cli_import_jsonl_reports_and_exits_1(
    app: Flask, shop_jsonl: Path, session: Session
) -> None:
    result = app.test_cli_runner().invoke(main, ["import-orders", str(shop_jsonl)])

    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines()[-1] == "loaded 1 orders, rejected 2"
    assert result.stderr.splitlines() == [
        "rejected line 2: no external_id",
        "rejected line 3: not a JSON object",
    ]
    assert session.scalars(select(Order.external_id)).all() == ["J-1"]


def test_cli_import_of_a_clean_file_exits_0(app: Flask, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "orders.csv", SHOP_ROWS[:3])

    result = app.test_cli_runner().invoke(main, ["import-orders", str(path)])

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "loaded 2 orders, rejected 0"
    assert result.stderr == ""


def test_cli_import_of_a_missing_file_is_a_usage_error(app: Flask, tmp_path: Path) -> None:
    result = app.test_cli_runner().invoke(main, ["import-orders", str(tmp_path / "none.csv")])

    assert result.exit_code == 2
    assert "does not exist" in result.stderr
