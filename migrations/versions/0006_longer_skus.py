"""SKUs of up to 255 characters, as Shopify allows

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 14:40:00

SQLite (the embedded default) does not enforce a VARCHAR's length, so only PostgreSQL's
columns change.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

COLUMNS = (
    ("stock_items", "sku"),
    ("reservations", "sku"),
    ("restocks", "sku"),
    ("order_lines", "sku"),
    ("return_lines", "exchange_sku"),
    ("exchanges", "sku"),
)


def _resize(length: int) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in COLUMNS:
        op.alter_column(table, column, type_=sa.String(length=length))


def upgrade() -> None:
    _resize(255)


def downgrade() -> None:
    _resize(64)
