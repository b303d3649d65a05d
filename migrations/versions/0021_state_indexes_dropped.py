"""a case's state indexed once: the single-column state indexes dropped

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 12:10:00

Returns, cancellations and subscription cancellations each had an index on their state
alone beside the work list's index on their state and arrival, which serves every read the
first one served. Each change of state (filing decides a return in the transaction that
files it) wrote both.
"""

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

TABLES = ("return_requests", "cancellations", "subscription_cancellations")


def upgrade() -> None:
    # Dropped without holding reads of the cases back on PostgreSQL (outside a transaction).
    with op.get_context().autocommit_block():
        for table in TABLES:
            op.drop_index(f"ix_{table}_status", table_name=table, postgresql_concurrently=True)


def downgrade() -> None:
    # Built without holding writes back on PostgreSQL (outside a transaction, as it must be).
    with op.get_context().autocommit_block():
        for table in TABLES:
            op.create_index(f"ix_{table}_status", table, ["status"], postgresql_concurrently=True)
