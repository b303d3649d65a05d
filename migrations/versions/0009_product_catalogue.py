"""The product catalogue: products, variants, the shop's stock levels; prices leave stock

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 18:00:00

A SKU's price now comes from its catalogue variant; stock_items keeps only the counts.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("product_type", sa.String(length=100), nullable=False),
        sa.Column("tags", JSON, nullable=False),
        sa.Column("option_names", JSON, nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("external_id", name=op.f("uq_products_external_id")),
    )
    op.create_table(
        "product_variants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("sku", sa.String(length=255), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("options", JSON, nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("presentment_prices", JSON, nullable=False),
        sa.Column("inventory_item_id", sa.String(length=64), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_product_variants_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_variants")),
        sa.UniqueConstraint("external_id", name=op.f("uq_product_variants_external_id")),
    )
    op.create_index(op.f("ix_product_variants_sku"), "product_variants", ["sku"])
    op.create_index(
        op.f("ix_product_variants_inventory_item_id"), "product_variants", ["inventory_item_id"]
    )
    op.create_table(
        "stock_levels",
        sa.Column("inventory_item_id", sa.String(length=64), nullable=False),
        sa.Column("location_id", sa.String(length=64), nullable=False),
        sa.Column("available", sa.Integer(), nullable=False),
        sa.Column("source_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("inventory_item_id", "location_id", name=op.f("pk_stock_levels")),
    )
    with op.batch_alter_table("stock_items") as batch:
        batch.drop_column("unit_price")
        batch.drop_column("currency")


def downgrade() -> None:
    with op.batch_alter_table("stock_items") as batch:
        batch.add_column(sa.Column("currency", sa.String(length=3), nullable=True))
        batch.add_column(sa.Column("unit_price", sa.Integer(), nullable=True))
    op.drop_table("stock_levels")
    op.drop_index(op.f("ix_product_variants_inventory_item_id"), table_name="product_variants")
    op.drop_index(op.f("ix_product_variants_sku"), table_name="product_variants")
    op.drop_table("product_variants")
    op.drop_table("products")
