"""The numbers page's tables, each with its chart: one definition for the page and its CSV.

A cell keeps its kind (a count, a share, hours, money), so the page writes it in the
staff's language and the CSV keeps a value a spreadsheet reads as a number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import format_date, format_decimal, format_percent, gettext, ngettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from returns_service.labels import REASON_LABELS, STATUS_LABELS, code_label
from returns_service.money import exponent
from returns_service.pages import money
from returns_service.staff.charts import bar_chart, line_chart

#: Why a subscriber wants to stop, as staff read it.
SUBSCRIPTION_REASONS = {
    "too_much_product": _l("Too much product"),
    "does_not_suit": _l("Does not suit them"),
    "too_expensive": _l("Too expensive"),
    "moving": _l("Moving house"),
    "other": _l("Other"),
}
#: How many products the chart of return rates shows (the table and CSV show them all).
CHART_PRODUCTS = 10


@dataclass(frozen=True, slots=True)
class Share:
    """A part of a whole, 0 to 1."""

    value: float | None


@dataclass(frozen=True, slots=True)
class Measure:
    """A measured number shown with one decimal: hours, an average score."""

    value: float | None


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in minor units of its currency."""

    amount: int
    currency: str


Cell = str | int | Share | Measure | Money


def shown(cell: Cell) -> str:
    """A cell as the page writes it, in the page's language."""
    if isinstance(cell, Share):
        return "—" if cell.value is None else format_percent(cell.value, "#,##0.0%")
    if isinstance(cell, Measure):
        return "—" if cell.value is None else format_decimal(cell.value, "#,##0.0")
    if isinstance(cell, Money):
        return money(cell.amount, cell.currency)
    if isinstance(cell, int):
        return format_decimal(cell)
    return str(cell)


def exported(cell: Cell) -> str:
    """A cell as the CSV keeps it: plain numbers, shares as percentages."""
    if isinstance(cell, Share):
        return "" if cell.value is None else f"{cell.value * 100:.1f}%"
    if isinstance(cell, Measure):
        return "" if cell.value is None else f"{cell.value:.2f}"
    if isinstance(cell, Money):
        return str(Decimal(cell.amount).scaleb(-exponent(cell.currency)))
    return str(cell)


@dataclass(slots=True)
class Table:
    """A captioned table of the page, its chart, and its CSV's name."""

    id: str
    caption: str
    headers: list[str]
    rows: list[list[Cell]]
    chart: Markup | None = None


def bars(rows: list[list[Cell]], label: int, value: int) -> list[tuple[str, float, str]]:
    def number(cell: Cell) -> float:
        if isinstance(cell, Share | Measure):
            return cell.value or 0.0
        if isinstance(cell, Money):
            return float(cell.amount)
        return float(cell) if isinstance(cell, int) else 0.0

    return [(str(row[label]), number(row[value]), shown(row[value])) for row in rows]


def _bucket(bucket: dict[str, Any]) -> str:
    low, high = bucket["from_hours"] // 24, (bucket["to_hours"] or 0) // 24
    if bucket["to_hours"] is None:
        return ngettext("%(num)d day or more", "%(num)d days or more", low)
    if low == 0:
        return ngettext("Under %(num)d day", "Under %(num)d days", high)
    return gettext("%(low)d to %(high)d days", low=low, high=high)


def _per_day(numbers: dict[str, Any]) -> Table:
    rows: list[list[Cell]] = [
        [
            day["day"].isoformat(),
            day["returns"],
            day["cancellations"],
            day["subscription_cancellations"],
        ]
        for day in numbers["per_day"]
    ]
    headers = [
        gettext("Day"),
        gettext("Returns"),
        gettext("Order cancellations"),
        gettext("Subscription cancellations"),
    ]
    caption = gettext("Returns and cancellations per day")
    labels = [format_date(day["day"], "M/d") for day in numbers["per_day"]]
    series = [(headers[i], [int(row[i]) for row in rows]) for i in (1, 2, 3)]  # type: ignore[arg-type]
    return Table("per-day", caption, headers, rows, line_chart(caption, labels, series))


def _counted(
    table_id: str,
    caption: str,
    headers: list[str],
    counts: dict[str, int],
    label: Callable[[str], str],
) -> Table:
    rows: list[list[Cell]] = [[label(key), n] for key, n in counts.items()]
    rows.sort(key=lambda row: -int(row[1]))  # type: ignore[arg-type]
    return Table(table_id, caption, headers, rows, bar_chart(caption, bars(rows, 0, 1)))


def _products(numbers: dict[str, Any]) -> Table:
    caption = gettext("Return rate by product")
    rows: list[list[Cell]] = [
        [row["sku"], row["name"] or "", row["sold"], row["returned"], Share(row["rate"])]
        for row in numbers["return_rate_by_product"]
    ]
    bars = [
        (f"{row[1] or row[0]}", (row[4].value or 0.0), shown(row[4]))  # type: ignore[union-attr]
        for row in rows[:CHART_PRODUCTS]
    ]
    headers = [
        gettext("SKU"),
        gettext("Product"),
        gettext("Sold"),
        gettext("Returned"),
        gettext("Rate"),
    ]
    return Table("rate-by-product", caption, headers, rows, bar_chart(caption, bars))


def _automation(numbers: dict[str, Any]) -> Table:
    auto = numbers["automation"]
    caption = gettext("Decided by the rules")
    rows: list[list[Cell]] = [
        [gettext("By the rules"), auto["decided_by_rules"]],
        [gettext("By staff"), auto["decided"] - auto["decided_by_rules"]],
    ]
    chart = bar_chart(caption, bars(rows, 0, 1))
    rows.append([gettext("Share by the rules"), Share(auto["share_by_rules"])])
    return Table("automation", caption, [gettext("Decided"), gettext("Returns")], rows, chart)


def _time_to_refund(numbers: dict[str, Any]) -> Table:
    refunds = numbers["time_to_refund"]
    return _bucketed(
        "time-to-refund",
        gettext("Hours from request to refund"),
        [gettext("Time to refund"), gettext("Refunds")],
        [
            [gettext("Refunds"), refunds["refunds"]],
            [gettext("Median (hours)"), Measure(refunds["median_hours"])],
            [gettext("90th percentile (hours)"), Measure(refunds["p90_hours"])],
        ],
        refunds["by_hours"],
    )


def _queue(numbers: dict[str, Any]) -> Table:
    queue = numbers["review_queue"]
    return _bucketed(
        "review-queue",
        gettext("Review queue by waiting time"),
        [gettext("Waiting for"), gettext("Returns")],
        [
            [gettext("Waiting"), queue["in_review"]],
            [gettext("Oldest waiting (hours)"), Measure(queue["oldest_waiting_hours"])],
        ],
        queue["by_age"],
    )


def _bucketed(
    name: str,
    caption: str,
    columns: list[str],
    totals: list[list[Cell]],
    counts: list[dict[str, Any]],
) -> Table:
    """Totals, then one row per span of hours; the chart draws the spans alone."""
    buckets: list[list[Cell]] = [[_bucket(b), b["count"]] for b in counts]
    return Table(
        name, caption, columns, [*totals, *buckets], bar_chart(caption, bars(buckets, 0, 1))
    )


def _saves(numbers: dict[str, Any]) -> Table:
    report = numbers["saves"]
    caption = gettext("Subscription cancellations saved by offers")
    rows: list[list[Cell]] = [
        [
            str(SUBSCRIPTION_REASONS.get(r["reason"], r["reason"]))
            if r["reason"] != "all"
            else gettext("All reasons"),
            r["started"],
            r["saved"],
            r["cancelled"],
            Share(r["save_rate"]),
        ]
        for r in [*report["reasons"], report["total"]]
    ]
    headers = [
        gettext("Reason"),
        gettext("Started"),
        gettext("Saved"),
        gettext("Cancelled"),
        gettext("Save rate"),
    ]
    return Table("saves", caption, headers, rows, bar_chart(caption, bars(rows, 0, 4)))


def _money(numbers: dict[str, Any]) -> Table:
    caption = gettext("Money refunded and credited")
    rows: list[list[Cell]] = [
        [
            gettext("Store credit") if m["method"] == "store_credit" else gettext("Refund"),
            m["currency"],
            m["refunds"],
            Money(m["amount"], m["currency"]),
        ]
        for m in numbers["money"]
    ]
    bars = [
        (f"{row[0]} ({row[1]})", float(row[3].amount), shown(row[3]))  # type: ignore[union-attr]
        for row in rows
    ]
    headers = [gettext("Way back"), gettext("Currency"), gettext("Refunds"), gettext("Amount")]
    return Table("money", caption, headers, rows, bar_chart(caption, bars))


def numbers_tables(numbers: dict[str, Any]) -> list[Table]:
    """Every table of the numbers page, in the page's order."""
    return [
        _per_day(numbers),
        _money(numbers),
        _counted(
            "reasons",
            gettext("Reasons"),
            [gettext("Reason"), gettext("Lines")],
            numbers["reasons"],
            lambda key: str(REASON_LABELS.get(key, key)),
        ),
        _counted(
            "line-outcomes",
            gettext("Decisions"),
            [gettext("Decision"), gettext("Lines")],
            numbers["line_outcomes"],
            code_label,
        ),
        _counted(
            "statuses",
            gettext("Statuses"),
            [gettext("Status"), gettext("Returns")],
            numbers["statuses"],
            lambda key: str(STATUS_LABELS.get(key, key)),
        ),
        _products(numbers),
        _automation(numbers),
        _time_to_refund(numbers),
        _queue(numbers),
        _saves(numbers),
    ]
