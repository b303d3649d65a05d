"""oauth tokens: a system's current token pair, renewed by refreshing

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 08:00:00

The access token of a warehouse system such as LOGILESS ends after a while and is renewed
with its refresh token; the new pair is kept here, one row per system, so every worker and
every restart uses it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oauth_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system", sa.String(length=32), nullable=False),
        sa.Column("access_token", sa.Text(), nullable=False),
        sa.Column("refresh_token", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seeded_from", sa.String(length=64), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_tokens")),
        sa.UniqueConstraint("system", name=op.f("uq_oauth_tokens_system")),
    )


def downgrade() -> None:
    op.drop_table("oauth_tokens")
