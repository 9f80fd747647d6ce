"""The alarm tests' hub (demo camera, people of two sites, FakeClock, SQLite
in tmp_path), the recorder tests' databases and the media tests' full disk, reused."""

from __future__ import annotations

from ..alarms.conftest import alarm_hub, clock
from ..media.conftest import full_disk
from ..recorder.conftest import db_url, postgres_database

__all__ = ["alarm_hub", "clock", "db_url", "full_disk", "postgres_database"]
