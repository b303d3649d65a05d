"""integrations: links to other systems' records and customers' LINE accounts

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 18:20:00

A record's twin in a warehouse system, Shopify or Zendesk is one row of
``integration_links`` (its id there, how far it was brought, the last failure); a
customer's LINE account, link code and choice of channel is one row of ``line_accounts``.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "integration_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system", sa.String(length=32), nullable=False),
        sa.Column("subject_type", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integration_links")),
        sa.UniqueConstraint(
            "system",
            "subject_type",
            "subject_id",
            name=op.f("uq_integration_links_system"),
        ),
    )
    op.create_table(
        "line_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("link_code", sa.String(length=16), nullable=True),
        sa.Column("code_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("line_user_id", sa.String(length=64), nullable=True),
        sa.Column(
            "channel",
            sa.Enum("email", "line", "both", name="channel", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("following", sa.Boolean(), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_line_accounts_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_line_accounts")),
        sa.UniqueConstraint("customer_id", name=op.f("uq_line_accounts_customer_id")),
        sa.UniqueConstraint("link_code", name=op.f("uq_line_accounts_link_code")),
    )
    op.create_index(
        op.f("ix_line_accounts_line_user_id"), "line_accounts", ["line_user_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_line_accounts_line_user_id"), table_name="line_accounts")
    op.drop_table("line_accounts")
    op.drop_table("integration_links")
