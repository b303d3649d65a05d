"""case ranks: each case keeps its place in the work list before aging, indexed

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 02:00:00

The work list worked the shop's priority mapping out in SQL for every open case at every
page, and sorted them all to show fifty. Returns, order cancellations and subscription
cancellations now keep the rank the mapping gives their own signals, the rank it gives
their order's parcels, and the lesser of the two, with an index over the open cases in
that order. The ranks of the cases already filed are worked out by the first process that
lists them (``case_rank_basis`` starts empty), with the mapping of its settings.
"""

import sqlalchemy as sa
from alembic import op

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
