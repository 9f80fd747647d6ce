"""The `recorder:` section of configuration.yaml and what it resolves to.

recorder:
  db_url: postgresql://sigap@db.pemkot.local/sigap   # default: SQLite <config>/sigap.db
  batch_size: 1000        # rows per commit, at most
  commit_interval: 1      # seconds between commits, at most
  max_queue: 100000       # events and states waiting; beyond it the oldest go
  purge_interval: 3600    # seconds between retention purges
  keep_days: {events: 30, states: 30, audit: 730, alarms: 730}
  exclude_events: [camera.motion]
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import voluptuous as vol
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from ..config.validators import seconds
from ..i18n import Text

DEFAULT_DB_FILE = "sigap.db"
KINDS = ("events", "states", "audit", "alarms")
DEFAULT_KEEP_DAYS = {"events": 30, "states": 30, "audit": 730, "alarms": 730}

# driver-less URLs an admin writes, and the async driver the recorder uses
_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
_ACCEPTED = {
    "sqlite": "sqlite",
    "sqlite+aiosqlite": "sqlite",
    "postgresql": "postgresql",
    "postgres": "postgresql",
    "postgresql+asyncpg": "postgresql",
}


def db_url(value: Any) -> str:
    """A database URL the recorder can use: sqlite:///file or postgresql://..."""
    if not isinstance(value, str) or not value.strip():
        raise vol.Invalid(Text("recorder.config.expected_url"))
    try:
        url = make_url(value.strip())
    except ArgumentError:
        raise vol.Invalid(Text("recorder.config.expected_url")) from None
    if url.drivername not in _ACCEPTED:
        raise vol.Invalid(Text("recorder.config.unknown_database", name=url.drivername))
    if _ACCEPTED[url.drivername] == "sqlite" and url.database in (None, "", ":memory:"):
        raise vol.Invalid(Text("recorder.config.sqlite_file"))
    return value.strip()


def _whole(low: int, high: int) -> Any:
    return vol.All(vol.Coerce(int), vol.Range(min=low, max=high))


CONFIG_SCHEMA = vol.Schema(
    {
        vol.Optional("db_url"): db_url,
        vol.Optional("batch_size", default=1000): _whole(1, 100_000),
        vol.Optional("commit_interval", default=1.0): seconds(0.01, 3600),
        vol.Optional("max_queue", default=100_000): _whole(100, 10_000_000),
        vol.Optional("purge_interval", default=3600.0): seconds(1, 7 * 86400),
        vol.Optional("keep_days", default=dict): vol.Schema(
            {vol.Optional(kind): _whole(1, 36500) for kind in KINDS}
        ),
        vol.Optional("exclude_events", default=list): [str],
    }
)


@dataclass(frozen=True, slots=True)
class RecorderSettings:
    url: URL
    batch_size: int = 1000
    commit_interval: float = 1.0
    max_queue: int = 100_000
    purge_interval: float = 3600.0
    keep_days: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_KEEP_DAYS))
    exclude_events: frozenset[str] = frozenset()

    @property
    def dialect(self) -> str:
        return _ACCEPTED[self.url.drivername]

    @property
    def sqlite_file(self) -> Path | None:
        return Path(self.url.database) if self.dialect == "sqlite" and self.url.database else None

    @property
    def shown_url(self) -> str:
        """The URL for a log line: the password hidden."""
        return self.url.render_as_string(hide_password=True)

    @classmethod
    def from_config(cls, section: Mapping[str, Any] | None, config_dir: Path) -> RecorderSettings:
        section = CONFIG_SCHEMA(dict(section or {}))
        return cls(
            url=resolve_url(section.get("db_url"), config_dir),
            batch_size=section["batch_size"],
            commit_interval=section["commit_interval"],
            max_queue=section["max_queue"],
            purge_interval=section["purge_interval"],
            keep_days={**DEFAULT_KEEP_DAYS, **section["keep_days"]},
            exclude_events=frozenset(section["exclude_events"]),
        )


def resolve_url(value: str | None, config_dir: Path) -> URL:
    """The async engine's URL: SQLite files relative to the config folder."""
    if value is None:
        return URL.create("sqlite+aiosqlite", database=str(config_dir.resolve() / DEFAULT_DB_FILE))
    url = make_url(value)
    kind = _ACCEPTED[url.drivername]
    url = url.set(drivername=_DRIVERS[kind])
    if kind == "sqlite":
        path = Path(os.path.expanduser(url.database))
        url = url.set(database=str(path if path.is_absolute() else config_dir.resolve() / path))
    return url
