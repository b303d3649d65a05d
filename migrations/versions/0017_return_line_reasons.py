"""return line reasons: kept on each return's row, fixed when it is filed

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 23:00:00

The work list ranks every open case by the shop's priority mapping, and a return's reasons
sat on its lines only: ranking read the lines of every open return for every page. Each
return now keeps its lines' reasons (distinct, sorted, comma-joined) on its own row; returns
already filed get them from their lines here, a batch of requests at a time.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

BATCH = 5_000
_REQUESTS = sa.table(
    "return_requests", sa.column("id", sa.Integer()), sa.column("line_reasons", sa.Text())
)
_LINES = sa.table("return_lines", sa.column("return_id", sa.Integer()), sa.column("reason"))


def _fill() -> None:
    connection = op.get_bind()
    update = (
        sa.update(_REQUESTS)
        .where(_REQUESTS.c.id == sa.bindparam("request_id"))
        .values(line_reasons=sa.bindparam("reasons"))
    )
    last = 0
    while True:
        ids = connection.scalars(
            sa.select(_REQUESTS.c.id)
            .where(_REQUESTS.c.id > last)
            .order_by(_REQUESTS.c.id)
            .limit(BATCH)
        ).all()
        if not ids:
            return
        reasons: dict[int, set[str]] = {request_id: set() for request_id in ids}
        lines = connection.execute(
            sa.select(_LINES.c.return_id, _LINES.c.reason).where(
                _LINES.c.return_id.between(ids[0], ids[-1])
            )
        )
        for request_id, reason in lines:
            if request_id in reasons:
                reasons[request_id].add(reason)
        connection.execute(
            update,
            [{"request_id": i, "reasons": ",".join(sorted(found))} for i, found in reasons.items()],
        )
        last = ids[-1]


def upgrade() -> None:
    with op.batch_alter_table("return_requests") as batch:
        # With a default in the database: a process still on the code before this one files
        # returns without the column while a deploy rolls out.
        batch.add_column(sa.Column("line_reasons", sa.Text(), nullable=True, server_default=""))
    _fill()
    with op.batch_alter_table("return_requests") as batch:
        batch.alter_column("line_reasons", existing_type=sa.Text(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("return_requests") as batch:
        batch.drop_column("line_reasons")
