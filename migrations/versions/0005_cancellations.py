"""cancellations

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 14:04:49

Cancellations record the customer's language, the outcome's message, when the warehouse was
asked to stop and what they refunded; rule set versions belong to a scope (return or
cancellation) and are numbered within it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Batch mode for the ALTERs: SQLite (the embedded default) rebuilds tables to alter them.
    with op.batch_alter_table("cancellations") as batch:
        batch.add_column(
            sa.Column("locale", sa.String(length=8), server_default="ja", nullable=False)
        )
        batch.add_column(sa.Column("message", sa.Text(), nullable=True))
        batch.add_column(sa.Column("stop_requested_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("goods_amount", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("shipping_amount", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("closes_order", sa.Boolean(), nullable=True))
        batch.create_index("ix_cancellations_status", ["status"])
    with op.batch_alter_table("rule_set_versions") as batch:
        batch.add_column(
            sa.Column(
                "scope",
                sa.Enum("return", "cancellation", name="scope", native_enum=False, length=16),
                server_default="return",
                nullable=False,
            )
        )
        batch.drop_constraint("uq_rule_set_versions_number", type_="unique")
        batch.create_unique_constraint("uq_rule_set_versions_scope", ["scope", "number"])


def downgrade() -> None:
    with op.batch_alter_table("rule_set_versions") as batch:
        batch.drop_constraint("uq_rule_set_versions_scope", type_="unique")
        batch.create_unique_constraint("uq_rule_set_versions_number", ["number"])
        batch.drop_column("scope")
    with op.batch_alter_table("cancellations") as batch:
        batch.drop_index("ix_cancellations_status")
        batch.drop_column("closes_order")
        batch.drop_column("shipping_amount")
        batch.drop_column("goods_amount")
        batch.drop_column("stop_requested_at")
        batch.drop_column("message")
        batch.drop_column("locale")
