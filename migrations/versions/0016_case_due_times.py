"""case due times: kept on each case's row, fixed when it arrives

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 16:00:00

Returns, order cancellations and subscription cancellations keep when the desk must answer
and decide them, so the numbers page counts the promises kept in SQL instead of asking the
shop's calendar for every case of the period. Cases already filed get the due times the
settings in force give them, worked out in Python a batch at a time (the calendar knows the
public holidays; SQL does not).
"""

import sqlalchemy as sa
from alembic import op

from returns_service.config import Settings
from returns_service.models import UTCDateTime
from returns_service.shop import ShopSettings

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

TABLES = ("return_requests", "cancellations", "subscription_cancellations")
COLUMNS = ("first_response_due_at", "resolution_due_at")
BATCH = 5_000


def _fill(table_name: str, shop: ShopSettings) -> None:
    table = sa.table(
        table_name,
        sa.column("id", sa.Integer()),
        sa.column("created_at", UTCDateTime()),
        *(sa.column(name, UTCDateTime()) for name in COLUMNS),
    )
    update = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("row_id"))
        .values({name: sa.bindparam(name) for name in COLUMNS})
    )
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(table.c.id, table.c.created_at)
            .where(table.c.id > last)
            .order_by(table.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        connection.execute(
            update, [{"row_id": row_id, **shop.promised(arrived)} for row_id, arrived in rows]
        )
        last = rows[-1].id


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            for name in COLUMNS:
                batch.add_column(sa.Column(name, sa.DateTime(timezone=True), nullable=True))
    shop = ShopSettings.from_config(Settings.from_environ().as_config())
    for table in TABLES:
        _fill(table, shop)
        with op.batch_alter_table(table) as batch:
            for name in COLUMNS:
                batch.alter_column(name, existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            for name in COLUMNS:
                batch.drop_column(name)
