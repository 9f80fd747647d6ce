"""The recorder: events, state changes, the audit and the alarms of the hub
in one database (SQLite in the config folder, or PostgreSQL by URL), with
Alembic migrations and a retention policy per kind. See docs/recorder.md."""

from .alarms import AlarmRecords
from .recorder import Recorder, RecorderUnavailable
from .settings import CONFIG_SCHEMA, RecorderSettings

__all__ = ["CONFIG_SCHEMA", "AlarmRecords", "Recorder", "RecorderSettings", "RecorderUnavailable"]
