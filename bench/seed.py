"""Fill a bench database fast with PostgreSQL ``COPY``: customers, orders, lines, shipments
and past returns whose lines carry the facts the rules decided them on.

Ids are given here, not drawn from the sequences, so that lines can name their order
without a round trip; :func:`reset_sequences` moves the sequences past them afterwards.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import rules
from bench.rules_bench import random_facts
from returns_service.config import Settings
from returns_service.shop import ShopSettings

#: Rows sent to the server per ``COPY`` write.
CHUNK = 5_000
TABLES = (
    "customers",
    "orders",
    "order_lines",
    "shipments",
    "shipment_lines",
    "return_requests",
    "return_lines",
)
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_SKUS = ("TS-", "CLR-", "JK-", "SH-", "DNM-", "MUG-")
#: Line prices by position: the first is kept by the customer and refunded at once under
#: the default rules, the second comes back by parcel.
_PRICES = (1_200, 12_800, 3_900, 4_000, 2_900)


@cache
def _shop() -> ShopSettings:
    return ShopSettings.from_config(Settings.from_environ().as_config())


def promised(arrived_at: datetime) -> dict[str, datetime]:
    """A case's due times as the app a bench builds from the environment keeps them."""
    return _shop().promised(arrived_at)


def _field(value: Any) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    elif isinstance(value, datetime):
        value = value.isoformat()
    return str(value).translate(_ESCAPES)


def copy_rows(
    connection: Any,
    table: str,
    columns: Sequence[str],
    rows: Iterable[tuple],
    *,
    frozen: bool = False,
) -> int:
    """Send rows to ``table`` with one ``COPY``; ``connection`` is a psycopg 3 connection.

    ``frozen`` writes them as autovacuum leaves a shop's old rows (see :func:`empty_tables`):
    otherwise the first statement to read each page, a measured one, rewrites it.
    """
    count = 0
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    if frozen:
        statement += " WITH (FREEZE)"
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        buffer: list[str] = []
        for row in rows:
            buffer.append("\t".join(map(_field, row)))
            count += 1
            if len(buffer) >= CHUNK:
                copy.write("\n".join(buffer) + "\n")
                buffer.clear()
        if buffer:
            copy.write("\n".join(buffer) + "\n")
    return count


def reset_sequences(connection: Any) -> None:
    """Move every seeded table's id sequence past the ids written here."""
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
            )


def empty_tables(connection: Any) -> None:
    """Empty the seeded tables in the current transaction: only then may ``COPY`` write
    rows frozen into them (until that transaction commits)."""
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} CASCADE")


@dataclass(frozen=True)
class OrderBatch:
    """Orders ``first`` .. ``first + count - 1``, each of ``lines`` lines of one unit each.

    Order ``n`` is number ``#n`` of customer ``n`` (``c<n>@example.jp``); its lines have
    ids ``n * lines`` .. ``n * lines + lines - 1``, so a return can name them directly.
    """

    first: int
    count: int
    lines: int = 5
    delivered: bool = True
    payment_provider: str = "sandbox"

    def order_ids(self) -> range:
        """The ids of the batch's orders."""
        return range(self.first, self.first + self.count)

    def line_ids(self, order_id: int) -> range:
        """The ids of one order's lines."""
        return range(order_id * self.lines, order_id * self.lines + self.lines)


def email_of(order_id: int) -> str:
    """The e-mail address of the customer of seeded order ``order_id``."""
    return f"c{order_id}@example.jp"


def seed_orders(
    connection: Any, batch: OrderBatch, now: datetime, *, days: int = 730, frozen: bool = False
) -> None:
    """Customers, orders, lines and (if delivered) one shipment per order, placed over
    the last ``days`` days; a delivered order arrived three days after it was placed."""
    rng = random.Random(batch.first)
    placed = {
        n: now - timedelta(days=(batch.first + batch.count - n) * days / batch.count + 6)
        for n in batch.order_ids()
    }
    copy_rows(
        connection,
        "customers",
        ("id", "external_id", "email", "name", "locale", "created_at"),
        ((n, f"C{n}", email_of(n), "佐藤 花子", "ja", placed[n]) for n in batch.order_ids()),
        frozen=frozen,
    )
    total = sum(_PRICES[i % len(_PRICES)] for i in range(batch.lines))
    address = {"name": "佐藤 花子", "country": "JP", "postal_code": "150-0001", "city": "渋谷区"}
    copy_rows(
        connection,
        "orders",
        (
            "id, external_id, number, customer_id, placed_at, currency, financial_status, "
            "fulfillment_status, payment_provider, payment_reference, source, is_subscription, "
            "tags, total_amount, shipping_amount, discount_amount, refunded_amount, "
            "shipping_address, shipping_country, created_at, updated_at"
        ).split(", "),
        (
            (
                n,
                str(n),
                f"#{n}",
                n,
                placed[n],
                "JPY",
                "paid",
                "shipped" if batch.delivered else "unfulfilled",
                batch.payment_provider,
                f"pay_{n}",
                "api",
                False,
                [],
                total,
                0,
                0,
                0,
                address,
                "JP",
                placed[n],
                placed[n],
            )  # fmt: skip
            for n in batch.order_ids()
        ),
        frozen=frozen,
    )
    copy_rows(
        connection,
        "order_lines",
        (
            "id",
            "order_id",
            "external_id",
            "sku",
            "title",
            "quantity",
            "unit_price",
            "discount",
            "product_type",
            "tags",
            "is_final_sale",
        ),
        (
            (
                line,
                n,
                f"L{line - n * batch.lines + 1}",
                f"{rng.choice(_SKUS)}{rng.randint(100, 999)}",
                "シャツ",
                1,
                _PRICES[(line - n * batch.lines) % len(_PRICES)],
                0,
                "apparel",
                [],
                False,
            )  # fmt: skip
            for n in batch.order_ids()
            for line in batch.line_ids(n)
        ),
        frozen=frozen,
    )
    if not batch.delivered:
        return
    copy_rows(
        connection,
        "shipments",
        (
            "id",
            "order_id",
            "external_id",
            "carrier",
            "tracking_number",
            "status",
            "shipped_at",
            "delivered_at",
        ),  # fmt: skip
        (
            (
                n,
                n,
                "S1",
                "yamato",
                f"4000{n:08d}",
                "delivered",
                placed[n] + timedelta(days=1),
                placed[n] + timedelta(days=3),
            )  # fmt: skip
            for n in batch.order_ids()
        ),
        frozen=frozen,
    )
    copy_rows(
        connection,
        "shipment_lines",
        ("id", "shipment_id", "order_line_id", "quantity"),
        ((line, n, line, 1) for n in batch.order_ids() for line in batch.line_ids(n)),
        frozen=frozen,
    )


def _past_lines(
    batch: OrderBatch, rng: random.Random
) -> Iterator[tuple[int, int, dict[str, Any], str]]:
    """(request id, order line id, facts, outcome) of the first two lines of each order."""
    decide = rules.compile_rule_set(rules.default_rule_set()).decide
    for n in batch.order_ids():
        for line in batch.line_ids(n)[:2]:
            facts = random_facts(rng)
            decision = decide(facts)
            yield n, line, facts, decision


def _past_reasons(batch: OrderBatch, rng: random.Random) -> Iterator[str]:
    """Each request's ``line_reasons``, of the lines ``_past_lines`` gives with an ``rng`` in
    the same state (the requests are written before their lines)."""
    for n in batch.order_ids():
        lines = batch.line_ids(n)[:2]
        yield ",".join(sorted({random_facts(rng)["reason"] for _ in lines}))


def seed_returns(
    connection: Any,
    batch: OrderBatch,
    now: datetime,
    *,
    in_review: int = 20,
    awaiting_parcel: int = 0,
    days: int = 730,
    frozen: bool = False,
) -> None:
    """One past return of two lines per order of ``batch`` (which must be delivered), decided
    by the default rules and filed over the last ``days`` days; the newest ``in_review``
    wait for a person, the ``awaiting_parcel`` before them for their parcel, the rest are
    done."""
    last = batch.first + batch.count - 1

    def status(n: int) -> str:
        if last - n < in_review:
            return "review"
        return "awaiting_parcel" if last - n < in_review + awaiting_parcel else "completed"

    filed = {
        n: now - timedelta(days=(last - n) * days / batch.count, hours=1) for n in batch.order_ids()
    }
    copy_rows(
        connection,
        "return_requests",
        (
            "id, rma, order_id, status, resolution, method, method_details, locale, decision, "
            "restocking_fee, line_reasons, created_by, created_at, decided_at, updated_at, "
            "first_response_due_at, resolution_due_at"
        ).split(", "),  # fmt: skip
        (
            (
                n,
                f"R-{n:08d}",
                n,
                status(n),
                "refund",
                "dropoff",
                {},
                "ja",
                {"outcome": "approve", "rules": ["default"]},
                0,
                reasons,
                "customer",
                filed[n],
                filed[n],
                now,
                *promised(filed[n]).values(),
            )  # fmt: skip
            for n, reasons in zip(
                batch.order_ids(), _past_reasons(batch, random.Random(-batch.first)), strict=True
            )
        ),
        frozen=frozen,
    )
    copy_rows(
        connection,
        "return_lines",
        (
            "id",
            "return_id",
            "order_line_id",
            "quantity",
            "reason",
            "comment",
            "photos",
            "outcome",
            "decision",
            "received_quantity",
            "inspection_notes",
        ),  # fmt: skip
        (
            (
                line,
                n,
                line,
                1,
                facts["reason"],
                "",
                [],
                decision.outcome.value,
                {"outcome": decision.outcome.value, "rule": decision.rule, "facts": facts},
                0,
                "",
            )  # fmt: skip
            for n, line, facts, decision in _past_lines(batch, random.Random(-batch.first))
        ),
        frozen=frozen,
    )
