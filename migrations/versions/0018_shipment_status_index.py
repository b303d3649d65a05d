"""shipments by state: the work list's parcel signals read the few parcels in a state

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 23:30:00

The work list ranks an open case urgent or high when its order's parcel is in a state the
shop's priority mapping names (``shipment:exception``, say). PostgreSQL found those parcels
by reading every shipment of the shop at every page; with this index it reads the few in
those states.
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Built without holding writes back on PostgreSQL (outside a transaction, as it must be).
    with op.get_context().autocommit_block():
        op.create_index(
            "ix_shipments_status", "shipments", ["status"], postgresql_concurrently=True
        )


def downgrade() -> None:
    op.drop_index("ix_shipments_status", table_name="shipments")
