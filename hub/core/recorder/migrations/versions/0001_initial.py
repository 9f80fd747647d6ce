"""The first schema: events, states, audit, alarms and their history.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Frozen copies of the types in tables.py: a revision never changes.
ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("event_type", sa.String(), nullable=False),
        sa.Column("time_fired", sa.Double(), nullable=False),
        sa.Column("origin", sa.String()),
        sa.Column("context_id", sa.String()),
        sa.Column("context_user_id", sa.String()),
        sa.Column("context_parent_id", sa.String()),
        sa.Column("context_actor", sa.String()),
        sa.Column("data", sa.Text()),
    )
    op.create_index("ix_events_time_fired", "events", ["time_fired"])
    op.create_index("ix_events_type_time", "events", ["event_type", "time_fired"])
    op.create_index("ix_events_context_id", "events", ["context_id"])

    op.create_table(
        "states",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("entity_id", sa.String(), nullable=False),
        sa.Column("state", sa.String()),
        sa.Column("attributes", sa.Text()),
        sa.Column("last_changed", sa.Double()),
        sa.Column("last_updated", sa.Double(), nullable=False),
        sa.Column("context_id", sa.String()),
        sa.Column("context_user_id", sa.String()),
        sa.Column("context_actor", sa.String()),
    )
    op.create_index("ix_states_entity_time", "states", ["entity_id", "last_updated"])
    op.create_index("ix_states_last_updated", "states", ["last_updated"])

    op.create_table(
        "audit",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("time", sa.Double(), nullable=False),
        sa.Column("who", sa.String()),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("entity_id", sa.String()),
        sa.Column("site", sa.String()),
        sa.Column("alarm_id", sa.String()),
        sa.Column("reason", sa.Text()),
        sa.Column("data", sa.Text()),
        sa.Column("context_id", sa.String()),
    )
    op.create_index("ix_audit_time", "audit", ["time"])
    op.create_index("ix_audit_entity_time", "audit", ["entity_id", "time"])
    op.create_index("ix_audit_alarm_time", "audit", ["alarm_id", "time"])
    op.create_index("ix_audit_who_time", "audit", ["who", "time"])

    op.create_table(
        "alarms",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("dedupe_key", sa.String()),
        sa.Column("site", sa.String()),
        sa.Column("priority", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("raised_at", sa.Double(), nullable=False),
        sa.Column("acknowledged_at", sa.Double()),
        sa.Column("closed_at", sa.Double()),
        sa.Column("next_deadline", sa.Double()),
        sa.Column("body", sa.Text()),
    )
    op.create_index("ix_alarms_site_raised", "alarms", ["site", "raised_at"])
    op.create_index("ix_alarms_state", "alarms", ["state"])
    op.create_index("ix_alarms_dedupe_key", "alarms", ["dedupe_key"])
    op.create_index("ix_alarms_raised_at", "alarms", ["raised_at"])

    op.create_table(
        "alarm_history",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("alarm_id", sa.String(), nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("who", sa.String()),
        sa.Column("context_id", sa.String()),
        sa.Column("data", sa.Text()),
    )
    op.create_index("ix_alarm_history_alarm_at", "alarm_history", ["alarm_id", "at"])


def downgrade() -> None:
    for table in ("alarm_history", "alarms", "audit", "states", "events"):
        op.drop_table(table)
