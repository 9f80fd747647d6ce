"""The alarm tests' hub (demo camera, people of two sites, FakeClock, SQLite
in tmp_path) and the recorder tests' databases, reused."""

from __future__ import annotations

from ..alarms.conftest import alarm_hub, clock
from ..recorder.conftest import db_url, postgres_database

__all__ = ["alarm_hub", "clock", "db_url", "postgres_database"]
