"""case ranks: each case keeps its place in the work list before aging, indexed

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 02:00:00

The work list worked the shop's priority mapping out in SQL for every open case at every
page, and sorted them all to show fifty. Returns, order cancellations and subscription
cancellations now keep the rank the mapping gives their own signals, the rank it gives
their order's parcels, and the lesser of the two, with an index over the open cases in
that order. The cases already filed, open and closed, get their ranks here, under the
mapping of the settings in force (``RETURNS_CASE_PRIORITIES``), a batch at a time; the
mapping is kept in ``case_rank_basis``, so that a process started with another one ranks
the open cases again.
"""

import json
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

from returns_service.config import Settings
from returns_service.setting_values import parse_case_priorities

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

RANKS = ("own_rank", "parcel_rank", "signal_rank")
#: (table, its open states) as they were at this revision.
OPEN = {
    "return_requests": (
        "requested",
        "review",
        "approved",
        "awaiting_parcel",
        "in_transit",
        "received",
        "inspected",
    ),
    "cancellations": ("requested", "review", "pending_stop"),
    "subscription_cancellations": ("offered",),
}


#: Tables whose order's parcels are a signal, and where each keeps its reasons.
PARCELS = ("return_requests", "cancellations")
REASONS = {
    "return_requests": "line_reasons",
    "cancellations": "reason",
    "subscription_cancellations": "reason",
}
BATCH = 5_000


def _rank(mapping: dict[str, frozenset[str]], signals: set[str]) -> int:
    """0 when a signal is urgent by the mapping, 1 when high, else 2 (as at this revision)."""
    for number, priority in enumerate(("urgent", "high")):
        if signals & mapping.get(priority, frozenset()):
            return number
    return 2


def _fill(table_name: str, mapping: dict[str, frozenset[str]]) -> None:
    reasons_column = REASONS[table_name]
    table = sa.table(
        table_name,
        sa.column("id", sa.Integer()),
        sa.column("order_id", sa.Integer()),
        sa.column("status", sa.String()),
        sa.column(reasons_column, sa.String()),
        *(sa.column(name, sa.SmallInteger()) for name in RANKS),
    )
    shipments = sa.table(
        "shipments", sa.column("order_id", sa.Integer()), sa.column("status", sa.String())
    )
    update = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("case_id"))
        .values({name: sa.bindparam(name) for name in RANKS})
    )
    connection = op.get_bind()
    last = 0
    while True:
        cases = connection.execute(
            sa.select(table.c.id, table.c.order_id, table.c.status, table.c[reasons_column])
            .where(table.c.id > last)
            .order_by(table.c.id)
            .limit(BATCH)
        ).all()
        if not cases:
            return
        parcels: dict[int, set[str]] = defaultdict(set)
        if table_name in PARCELS:
            orders = {found.order_id for found in cases}
            for order_id, status in connection.execute(
                sa.select(shipments.c.order_id, shipments.c.status).where(
                    shipments.c.order_id.in_(orders)
                )
            ):
                parcels[order_id].add(f"shipment:{status}")
        rows = []
        for case_id, order_id, status, kept in cases:
            reasons = (
                (kept.split(",") if table_name == "return_requests" else [kept]) if kept else []
            )
            own = _rank(mapping, {f"reason:{r}" for r in reasons} | {f"status:{status}"})
            parcel = _rank(mapping, parcels[order_id])
            rows.append(
                {
                    "case_id": case_id,
                    "own_rank": own,
                    "parcel_rank": parcel,
                    "signal_rank": min(own, parcel),
                }
            )
        connection.execute(update, rows)
        last = cases[-1].id


def _open(table: str) -> sa.TextClause:
    states = ", ".join(f"'{state}'" for state in OPEN[table])
    return sa.text(f"status IN ({states})")


def upgrade() -> None:
    for table in OPEN:
        with op.batch_alter_table(table) as batch:
            for name in RANKS:
                # A default in the database: a process still on the code before this one
                # files cases without the columns while a deploy rolls out.
                batch.add_column(
                    sa.Column(name, sa.SmallInteger(), nullable=False, server_default="2")
                )
    op.create_table(
        "case_rank_basis",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mapping", sa.Text(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_rank_basis")),
    )
    mapping = dict(parse_case_priorities(Settings.from_environ().case_priorities))
    for table in OPEN:
        _fill(table, mapping)
    basis = sa.table(
        "case_rank_basis",
        sa.column("id", sa.Integer()),
        sa.column("mapping", sa.Text()),
    )
    # As ``cases.rank_basis`` writes the mapping: the same mapping is the same text.
    text = json.dumps({k: sorted(v) for k, v in mapping.items()}, sort_keys=True)
    op.execute(sa.insert(basis).values(id=1, mapping=text))
    # Built without holding writes back on PostgreSQL (outside a transaction, as it must be).
    with op.get_context().autocommit_block():
        for table in OPEN:
            op.create_index(
                f"ix_{table}_open_rank",
                table,
                ["signal_rank", "created_at", "id"],
                postgresql_where=_open(table),
                sqlite_where=_open(table),
                postgresql_concurrently=True,
            )


def downgrade() -> None:
    for table in OPEN:
        op.drop_index(f"ix_{table}_open_rank", table_name=table)
    op.drop_table("case_rank_basis")
    for table in OPEN:
        with op.batch_alter_table(table) as batch:
            for name in RANKS:
                batch.drop_column(name)
