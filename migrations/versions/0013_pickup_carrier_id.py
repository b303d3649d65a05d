"""The carrier's id of a booked pickup, so it can be called off

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 07:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pickups") as batch:
        batch.add_column(sa.Column("carrier_pickup_id", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pickups") as batch:
        batch.drop_column("carrier_pickup_id")
