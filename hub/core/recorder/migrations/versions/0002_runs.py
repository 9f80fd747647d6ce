"""recorder_runs: when each run of the hub started and whether it stopped
cleanly, so a start after a crash can say so (and from when rows may miss).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "recorder_runs",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("started", sa.Double(), nullable=False),
        sa.Column("ended", sa.Double()),
    )


def downgrade() -> None:
    op.drop_table("recorder_runs")
