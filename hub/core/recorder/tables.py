"""The recorder's one schema, for SQLite and PostgreSQL alike (SQLAlchemy
Core tables; Alembic's revisions in migrations/ create and change them).

Times are float seconds since the epoch (UTC), as everywhere in the hub.
Text columns carry no length: a long entity id must never make PostgreSQL
refuse a whole batch. JSON is kept as text (the recorder encodes it once,
off the event path), the same on both databases.
"""

from __future__ import annotations

import sqlalchemy as sa

METADATA = sa.MetaData()

# SQLite's INTEGER PRIMARY KEY is its rowid (autoincrementing, no extra
# index); PostgreSQL gets a BIGINT identity.
ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

events = sa.Table(
    "events",
    METADATA,
    sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
    sa.Column("event_type", sa.String(), nullable=False),
    sa.Column("time_fired", sa.Double(), nullable=False),
    sa.Column("origin", sa.String()),
    sa.Column("context_id", sa.String()),
    sa.Column("context_user_id", sa.String()),
    sa.Column("context_parent_id", sa.String()),
    sa.Column("context_actor", sa.String()),
    sa.Column("data", sa.Text()),
    sa.Index("ix_events_time_fired", "time_fired"),
    sa.Index("ix_events_type_time", "event_type", "time_fired"),
    sa.Index("ix_events_context_id", "context_id"),
)

# One row per state_changed (state None: the entity was removed).
states = sa.Table(
    "states",
    METADATA,
    sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
    sa.Column("entity_id", sa.String(), nullable=False),
    sa.Column("state", sa.String()),
    sa.Column("attributes", sa.Text()),
    sa.Column("last_changed", sa.Double()),
    sa.Column("last_updated", sa.Double(), nullable=False),
    sa.Column("context_id", sa.String()),
    sa.Column("context_user_id", sa.String()),
    sa.Column("context_actor", sa.String()),
    sa.Index("ix_states_entity_time", "entity_id", "last_updated"),
    sa.Index("ix_states_last_updated", "last_updated"),
)

# Who did what: service calls (call_service events), footage taken, viewed
# or exported, refusals. Never dropped from the queue; kept 2 years.
audit = sa.Table(
    "audit",
    METADATA,
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
    sa.Index("ix_audit_time", "time"),
    sa.Index("ix_audit_entity_time", "entity_id", "time"),
    sa.Index("ix_audit_alarm_time", "alarm_id", "time"),
    sa.Index("ix_audit_who_time", "who", "time"),
)

# The columns of an alarm that queries use; the rest of it is `body` (JSON).
ALARM_COLUMNS = (
    "id",
    "dedupe_key",
    "site",
    "priority",
    "state",
    "raised_at",
    "acknowledged_at",
    "closed_at",
    "next_deadline",
)

alarms = sa.Table(
    "alarms",
    METADATA,
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
    sa.Index("ix_alarms_site_raised", "site", "raised_at"),
    sa.Index("ix_alarms_state", "state"),
    sa.Index("ix_alarms_dedupe_key", "dedupe_key"),
    sa.Index("ix_alarms_raised_at", "raised_at"),
)

alarm_history = sa.Table(
    "alarm_history",
    METADATA,
    sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
    sa.Column("alarm_id", sa.String(), nullable=False),
    sa.Column("at", sa.Double(), nullable=False),
    sa.Column("kind", sa.String(), nullable=False),
    sa.Column("who", sa.String()),
    sa.Column("context_id", sa.String()),
    sa.Column("data", sa.Text()),
    sa.Index("ix_alarm_history_alarm_at", "alarm_id", "at"),
)

# One row per run of the hub; `ended` stays NULL when the run was cut off.
recorder_runs = sa.Table(
    "recorder_runs",
    METADATA,
    sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
    sa.Column("started", sa.Double(), nullable=False),
    sa.Column("ended", sa.Double()),
)
