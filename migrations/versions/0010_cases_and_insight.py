"""cases and the customer's voice

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 18:00:00

Cases get their own record (assignee, escalation, survey) and notes; jump alerts are kept
so that each is raised once; shipments say which warehouse they left from, and the day
they left is indexed for the search for swapped parcels.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("assignee", sa.String(length=320), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("response_escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution_escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("survey_scale", sa.String(length=8), nullable=True),
        sa.Column("survey_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("survey_score", sa.Integer(), nullable=True),
        sa.Column("survey_answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_files")),
        sa.UniqueConstraint("subject_type", "subject_id", name=op.f("uq_case_files_subject_type")),
    )
    op.create_index(op.f("ix_case_files_assignee"), "case_files", ["assignee"])
    op.create_table(
        "case_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=128), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_notes")),
    )
    op.create_index("ix_case_notes_subject", "case_notes", ["subject_type", "subject_id", "id"])
    op.create_table(
        "jump_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=255), nullable=False),
        sa.Column("metric", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("window_end", sa.Date(), nullable=False),
        sa.Column("observed", sa.Integer(), nullable=False),
        sa.Column("trials", sa.Integer(), nullable=False),
        sa.Column("baseline_rate", sa.Float(), nullable=False),
        sa.Column("p_value", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jump_alerts")),
        sa.UniqueConstraint(
            "sku", "metric", "reason", "window_end", name=op.f("uq_jump_alerts_sku")
        ),
    )
    with op.batch_alter_table("shipments") as batch:
        batch.add_column(sa.Column("warehouse", sa.String(length=64), nullable=True))
        batch.create_index(batch.f("ix_shipments_shipped_at"), ["shipped_at"])


def downgrade() -> None:
    with op.batch_alter_table("shipments") as batch:
        batch.drop_index(batch.f("ix_shipments_shipped_at"))
        batch.drop_column("warehouse")
    op.drop_table("jump_alerts")
    op.drop_index("ix_case_notes_subject", table_name="case_notes")
    op.drop_table("case_notes")
    op.drop_index(op.f("ix_case_files_assignee"), table_name="case_files")
    op.drop_table("case_files")
