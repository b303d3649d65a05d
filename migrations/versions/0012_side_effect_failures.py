"""Side effects that gave up, kept on their objects; refunds whose outcome is unknown

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 19:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

COLUMNS = (
    ("pickups", "failure_reason"),
    ("exchanges", "failure_reason"),
    ("cancellations", "shopify_failure"),
)


def upgrade() -> None:
    for table, column in COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column(column, sa.Text(), nullable=True))
    with op.batch_alter_table("refunds") as batch:
        batch.add_column(
            sa.Column("outcome_unknown", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("refunds") as batch:
        batch.drop_column("outcome_unknown")
    for table, column in COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
