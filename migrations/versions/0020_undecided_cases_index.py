"""the undecided cases by arrival: the work list's aged cases read off their own index

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 10:30:00

The work list reads a page of the open cases in two parts per kind: in the order of their
kept rank, and the normal cases the shop has held past the aging cutoff, by arrival. With
the cutoff a parameter of the page's prepared statement, PostgreSQL read that second part
off the index of every case by arrival, going through every case filed before the cutoff
(the shop's whole history, decided cases included) to find the few still undecided. This
index holds the undecided cases only (requested or in review; a cancellation also while
the warehouse is asked to stop), in the order the part reads them.
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

#: Each kind's undecided states, as ``cases.case_states`` names them now (a migration keeps
#: its own copy of what it builds).
UNDECIDED = {
    "return_requests": ("requested", "review"),
    "cancellations": ("requested", "review", "pending_stop"),
}


def _undecided(table: str) -> sa.TextClause:
    states = ", ".join(f"'{state}'" for state in UNDECIDED[table])
    return sa.text(f"status IN ({states})")


def upgrade() -> None:
    # Built without holding writes back on PostgreSQL (outside a transaction, as it must be).
    with op.get_context().autocommit_block():
        for table in UNDECIDED:
            op.create_index(
                f"ix_{table}_undecided",
                table,
                ["created_at", "id"],
                postgresql_where=_undecided(table),
                sqlite_where=_undecided(table),
                postgresql_concurrently=True,
            )


def downgrade() -> None:
    for table in UNDECIDED:
        op.drop_index(f"ix_{table}_undecided", table_name=table)
