"""Indexes for the staff work list: cases of each kind by arrival, the scan box, names

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 08:00:00

The work list reads every kind's open cases oldest first, a scanned tracking number may be
a replacement's, and a customer is found by the start of their name; without these, each
scans the whole table as the shop grows.
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

#: (index name, table, columns)
INDEXES = (
    ("ix_return_requests_status_created_at", "return_requests", ["status", "created_at"]),
    ("ix_cancellations_status_created_at", "cancellations", ["status", "created_at"]),
    (
        "ix_subscription_cancellations_status_created_at",
        "subscription_cancellations",
        ["status", "created_at"],
    ),
    ("ix_exchanges_tracking_number", "exchanges", ["tracking_number"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    # Searched by the start of the name: on PostgreSQL, LIKE 'x%' needs the pattern ops.
    op.create_index(
        "ix_customers_name", "customers", ["name"], postgresql_ops={"name": "text_pattern_ops"}
    )


def downgrade() -> None:
    op.drop_index("ix_customers_name", table_name="customers")
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
