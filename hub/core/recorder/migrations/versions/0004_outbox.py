"""outbox: every outgoing message, written before it is sent, with its
state, attempts, next try and last reason (hub/core/outbox.py).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("seq", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(), nullable=False, unique=True),
        sa.Column("notifier", sa.String(), nullable=False),
        sa.Column("recipient", sa.String(), nullable=False),
        sa.Column("person_id", sa.String()),
        sa.Column("alarm_id", sa.String()),
        sa.Column("kind", sa.String()),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("not_before", sa.Double()),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.Column("provider_id", sa.String()),
        sa.Column("reason", sa.Text()),
        sa.Column("context_id", sa.String()),
        sa.Column("body", sa.Text(), nullable=False),
    )
    op.create_index("ix_outbox_state_seq", "outbox", ["state", "seq"])
    op.create_index("ix_outbox_alarm_person", "outbox", ["alarm_id", "person_id"])
    op.create_index("ix_outbox_updated_at", "outbox", ["updated_at"])


def downgrade() -> None:
    op.drop_table("outbox")
