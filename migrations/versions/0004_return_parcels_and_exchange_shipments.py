"""return parcels and exchange shipments

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 13:45:00

The return parcel's label and tracking move from pickups to the return itself (a drop-off
parcel has them too); exchanges record their replacement's shipment.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Batch mode throughout: SQLite (the embedded default) rebuilds tables to alter them.
    with op.batch_alter_table("exchanges") as batch:
        batch.add_column(sa.Column("carrier", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("tracking_number", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("pickups") as batch:
        batch.drop_index("ix_pickups_tracking_number")
        batch.drop_column("tracking_number")
        batch.drop_column("label_url")
    with op.batch_alter_table("return_requests") as batch:
        batch.add_column(sa.Column("carrier", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("tracking_number", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("label_url", sa.Text(), nullable=True))
        batch.add_column(sa.Column("carrier_shipment_id", sa.String(length=64), nullable=True))
        batch.create_index("ix_return_requests_tracking_number", ["tracking_number"])


def downgrade() -> None:
    with op.batch_alter_table("return_requests") as batch:
        batch.drop_index("ix_return_requests_tracking_number")
        batch.drop_column("carrier_shipment_id")
        batch.drop_column("label_url")
        batch.drop_column("tracking_number")
        batch.drop_column("carrier")
    with op.batch_alter_table("pickups") as batch:
        batch.add_column(sa.Column("label_url", sa.Text(), nullable=True))
        batch.add_column(sa.Column("tracking_number", sa.String(length=128), nullable=True))
        batch.create_index("ix_pickups_tracking_number", ["tracking_number"])
    with op.batch_alter_table("exchanges") as batch:
        batch.drop_column("shipped_at")
        batch.drop_column("tracking_number")
        batch.drop_column("carrier")
