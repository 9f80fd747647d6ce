"""A canary secret for test suites: one value planted in secrets.yaml, one in
the environment (read with `!env_var`). Neither may ever be seen in a log
line, a saved trace, an error or what `sigap` prints.

`CanaryCheck` is the watch: `start()` puts a handler on the root logger (with
the hub's redaction filter, as every handler of `sigap` has), `seen()` takes
other text (a `sigap` process's output, a file), and `sightings()` says where
a canary showed. The comparison ignores case: a secret lower-cased by a hint
or upper-cased by a template is still a leak.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from ..core.config.secrets import SecretFilter
from .recorded import database_text

CANARY_SECRET_NAME = "sigap_canary"
CANARY_SECRET = "Kanari-Rahasia-5fQ2"
CANARY_ENV = "SIGAP_CANARY"
CANARY_ENV_VALUE = "Kanari-Env-8pW3"
CANARIES = (CANARY_SECRET, CANARY_ENV_VALUE)

# Files a check reads for canaries: what the hub keeps (sessions, owed
# commands) and its recorder's SQLite file (traces, events, the audit).
_WATCHED_FOLDER = ".storage"
_DATABASE = "*.db"
_MAX_FILE_BYTES = 8 * 1024 * 1024


def canary_secrets_yaml() -> str:
    """The line a test's secrets.yaml carries: `sigap_canary: <value>`."""
    return f"{CANARY_SECRET_NAME}: {CANARY_SECRET}\n"


def plant(config_dir: Path) -> Path:
    """Add the canary to `config_dir/secrets.yaml` (created if missing)."""
    path = Path(config_dir) / "secrets.yaml"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if CANARY_SECRET_NAME not in text:
        separator = "" if not text or text.endswith("\n") else "\n"
        path.write_text(text + separator + canary_secrets_yaml(), encoding="utf-8")
    return path


def canaries_in(text: str) -> list[str]:
    """The canary values `text` shows, whatever their case."""
    folded = text.casefold()
    return [canary for canary in CANARIES if canary.casefold() in folded]


class _Watch(logging.Handler):
    """Formats every record as a hub's handler would write it, and keeps those with a canary."""

    def __init__(self, check: CanaryCheck) -> None:
        super().__init__(logging.NOTSET)
        self.addFilter(SecretFilter())
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.check = check

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception:  # a broken record is logging's to report, not ours
            return
        self.check.seen(text, f"log record of {record.name}")


class CanaryCheck:
    """Watch one test: its log records, the text handed to `seen()`, and files."""

    def __init__(self) -> None:
        self._sightings: list[str] = []
        self._watch = _Watch(self)

    def start(self) -> None:
        logging.getLogger().addHandler(self._watch)

    def stop(self) -> None:
        logging.getLogger().removeHandler(self._watch)

    @property
    def watching(self) -> bool:
        return self._watch in logging.getLogger().handlers

    def seen(self, text: str, where: str) -> None:
        for canary in canaries_in(text):
            self._sightings.append(f"{where} shows the canary {canary!r}:\n{text[:2000]}")

    def read_storage(self, folder: Path) -> None:
        """Every file under a `.storage` folder below `folder` (sessions,
        owed commands), and every SQLite database (the recorder's)."""
        for storage in Path(folder).rglob(_WATCHED_FOLDER):
            for path in storage.rglob("*"):
                if path.is_file() and path.stat().st_size <= _MAX_FILE_BYTES:
                    self.seen(path.read_text(encoding="utf-8", errors="replace"), str(path))
        for path in Path(folder).rglob(_DATABASE):
            if path.is_file() and path.stat().st_size <= _MAX_FILE_BYTES:
                try:
                    text = database_text(path)
                except sqlite3.Error:
                    continue  # not a SQLite file, or one being created
                self.seen(text, str(path))

    def sightings(self) -> list[str]:
        return list(self._sightings)


# The check of the test running now, for helpers that run `sigap` (set by the suite).
current: CanaryCheck | None = None


def seen(text: str, where: str) -> None:
    """Hand text a test produced outside logging (a process's output) to the current check."""
    if current is not None:
        current.seen(text, where)
