"""Indexes on the foreign-key and lookup columns the hot paths filter or join on

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 18:00:00

Without them, reading an order's shipments, a return's lines or the lines cancelled from
an order scans the whole table, and gets slower as the shop grows.
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

#: (index name, table, columns)
INDEXES = (
    ("ix_shipment_lines_shipment_id", "shipment_lines", ["shipment_id"]),
    ("ix_shipment_lines_order_line_id", "shipment_lines", ["order_line_id"]),
    ("ix_cancellation_lines_order_line_id", "cancellation_lines", ["order_line_id"]),
    ("ix_return_lines_return_id", "return_lines", ["return_id"]),
    ("ix_return_lines_refund_id", "return_lines", ["refund_id"]),
    ("ix_return_requests_rule_set_version_id", "return_requests", ["rule_set_version_id"]),
    ("ix_rule_set_versions_based_on_id", "rule_set_versions", ["based_on_id"]),
    ("ix_rule_set_activations_version_id", "rule_set_activations", ["version_id"]),
    ("ix_orders_placed_at", "orders", ["placed_at"]),
    ("ix_events_kind_created_at", "events", ["kind", "created_at"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
