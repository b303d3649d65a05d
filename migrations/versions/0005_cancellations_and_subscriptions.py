"""cancellations and subscriptions

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 14:04:49

Cancellations record the customer's language, the outcome's message, when the warehouse was
asked to stop and what they refunded; subscription cancellation flows and the offers per
reason get their tables; rule set versions belong to a scope (return or cancellation) and
are numbered within it.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
REASON = sa.Enum(
    "too_much_product",
    "does_not_suit",
    "too_expensive",
    "moving",
    "other",
    name="cancelreason",
    native_enum=False,
    length=32,
)


def upgrade() -> None:
    op.create_table(
        "subscription_offer_sets",
        sa.Column("reason", REASON, nullable=False),
        sa.Column("offers", JSON, nullable=False),
        sa.Column("updated_by", sa.String(length=128), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("reason", name=op.f("pk_subscription_offer_sets")),
    )
    op.create_table(
        "subscription_cancellations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_reference", sa.String(length=128), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("reason", REASON, nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "offered",
                "saved",
                "cancelled",
                "superseded",
                name="flowstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("offers", JSON, nullable=False),
        sa.Column("accepted_offer", JSON, nullable=True),
        sa.Column("outcome", JSON, nullable=True),
        sa.Column("next_delivery", sa.Date(), nullable=True),
        sa.Column("interval_days", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_subscription_cancellations_order_id_orders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription_cancellations")),
    )
    op.create_index(
        op.f("ix_subscription_cancellations_order_id"), "subscription_cancellations", ["order_id"]
    )
    op.create_index(
        op.f("ix_subscription_cancellations_status"), "subscription_cancellations", ["status"]
    )
    op.create_index(
        op.f("ix_subscription_cancellations_subscription_reference"),
        "subscription_cancellations",
        ["subscription_reference"],
    )
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
    op.drop_index(
        op.f("ix_subscription_cancellations_subscription_reference"),
        table_name="subscription_cancellations",
    )
    op.drop_index(
        op.f("ix_subscription_cancellations_status"), table_name="subscription_cancellations"
    )
    op.drop_index(
        op.f("ix_subscription_cancellations_order_id"), table_name="subscription_cancellations"
    )
    op.drop_table("subscription_cancellations")
    op.drop_table("subscription_offer_sets")
