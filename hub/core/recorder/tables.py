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

# What moved here from .storage's JSON files (revision 0003).

# Automation runs, step by step (`sigap trace`): each automation's last
# `stored_traces` runs. A run saved `running` and never finished was cut off
# (the hub was killed): the next start marks it `cut_off`. `body` is the
# trace as `Trace.as_dict()` made it (capped, secrets redacted).
traces = sa.Table(
    "traces",
    METADATA,
    sa.Column("context_id", sa.String(), primary_key=True),  # the run's context
    sa.Column("automation_id", sa.String(), nullable=False),
    sa.Column("alias", sa.String()),
    sa.Column("entity_id", sa.String()),
    sa.Column("run_id", sa.Integer()),  # counted per run of the hub: shown, not a key
    sa.Column("parent_id", sa.String()),  # the context that triggered it
    sa.Column("started", sa.Double(), nullable=False),
    sa.Column("ended", sa.Double()),
    sa.Column("state", sa.String(), nullable=False),  # running | stopped
    sa.Column("execution", sa.String()),  # finished, error, ..., cut_off
    sa.Column("body", sa.Text()),
    sa.Index("ix_traces_automation_started", "automation_id", "started"),
    sa.Index("ix_traces_state", "state"),
)

# The topic filters the hub's persistent MQTT session holds at the broker,
# per client id: what the next start unsubscribes when nothing uses it.
mqtt_filters = sa.Table(
    "mqtt_filters",
    METADATA,
    sa.Column("client_id", sa.String(), primary_key=True),
    sa.Column("filter", sa.String(), primary_key=True),
    sa.Column("saved_at", sa.Double(), nullable=False),
)

# Every snapshot and clip under the media folder: which camera, when, how
# big, and who or what asked for it (a context, an alarm, a reason). Media
# retention and `for_context` read it; the file itself stays the footage.
media_files = sa.Table(
    "media_files",
    METADATA,
    sa.Column("path", sa.String(), primary_key=True),
    sa.Column("entity_id", sa.String()),  # the camera
    sa.Column("kind", sa.String(), nullable=False),  # snapshot | clip
    sa.Column("size", sa.BigInteger(), nullable=False),
    sa.Column("taken_at", sa.Double(), nullable=False),
    sa.Column("source", sa.String()),  # http | platform | rtsp | ring
    sa.Column("site", sa.String()),
    sa.Column("area", sa.String()),
    sa.Column("context_id", sa.String()),
    sa.Column("parent_id", sa.String()),
    sa.Column("user_id", sa.String()),
    sa.Column("alarm_id", sa.String()),
    sa.Column("reason", sa.Text()),
    sa.Column("data", sa.Text()),  # the rest (a clip's seconds and pre-roll)
    sa.Index("ix_media_files_taken_at", "taken_at"),
    sa.Index("ix_media_files_entity_taken", "entity_id", "taken_at"),
    sa.Index("ix_media_files_context_id", "context_id"),
    sa.Index("ix_media_files_parent_id", "parent_id"),
    sa.Index("ix_media_files_alarm_id", "alarm_id"),
)

# Every outgoing message, written before it is sent (hub/core/outbox.py):
# `seq` orders each recipient's messages, `id` is the idempotency key the
# messenger is given. state: pending, sending (an attempt began; after a
# crash it may or may not have gone), delivered, failed, superseded.
outbox = sa.Table(
    "outbox",
    METADATA,
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
    sa.Index("ix_outbox_state_seq", "state", "seq"),
    sa.Index("ix_outbox_alarm_person", "alarm_id", "person_id"),
    sa.Index("ix_outbox_updated_at", "updated_at"),
)
