"""traces, mqtt_filters, media_files: what the hub kept in JSON files under
.storage (automation traces, the MQTT session's filters) and in sidecars
next to its snapshots and clips (the media index). The files are imported
once by the hub at start, then renamed *.imported.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "traces",
        sa.Column("context_id", sa.String(), primary_key=True),
        sa.Column("automation_id", sa.String(), nullable=False),
        sa.Column("alias", sa.String()),
        sa.Column("entity_id", sa.String()),
        sa.Column("run_id", sa.Integer()),
        sa.Column("parent_id", sa.String()),
        sa.Column("started", sa.Double(), nullable=False),
        sa.Column("ended", sa.Double()),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("execution", sa.String()),
        sa.Column("body", sa.Text()),
    )
    op.create_index("ix_traces_automation_started", "traces", ["automation_id", "started"])
    op.create_index("ix_traces_state", "traces", ["state"])

    op.create_table(
        "mqtt_filters",
        sa.Column("client_id", sa.String(), primary_key=True),
        sa.Column("filter", sa.String(), primary_key=True),
        sa.Column("saved_at", sa.Double(), nullable=False),
    )

    op.create_table(
        "media_files",
        sa.Column("path", sa.String(), primary_key=True),
        sa.Column("entity_id", sa.String()),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("taken_at", sa.Double(), nullable=False),
        sa.Column("source", sa.String()),
        sa.Column("site", sa.String()),
        sa.Column("area", sa.String()),
        sa.Column("context_id", sa.String()),
        sa.Column("parent_id", sa.String()),
        sa.Column("user_id", sa.String()),
        sa.Column("alarm_id", sa.String()),
        sa.Column("reason", sa.Text()),
        sa.Column("data", sa.Text()),
    )
    op.create_index("ix_media_files_taken_at", "media_files", ["taken_at"])
    op.create_index("ix_media_files_entity_taken", "media_files", ["entity_id", "taken_at"])
    op.create_index("ix_media_files_context_id", "media_files", ["context_id"])
    op.create_index("ix_media_files_parent_id", "media_files", ["parent_id"])
    op.create_index("ix_media_files_alarm_id", "media_files", ["alarm_id"])


def downgrade() -> None:
    for table in ("media_files", "mqtt_filters", "traces"):
        op.drop_table(table)
