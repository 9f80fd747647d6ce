"""Opening the recorder's database: the async engine, SQLite's settings,
and the Alembic migrations that bring any older schema up to date."""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from ..storage import FILE_MODE, make_private_dir
from .settings import RecorderSettings

MIGRATIONS = Path(__file__).with_name("migrations")
HEAD = "head"

# Alembic's own INFO lines are English only; the recorder says what changed.
logging.getLogger("alembic").setLevel(logging.WARNING)


def create_engine(settings: RecorderSettings) -> AsyncEngine:
    """The engine; for SQLite its file made private (0600) first."""
    if settings.dialect == "sqlite":
        return _sqlite_engine(settings)
    return create_async_engine(settings.url, pool_size=5, max_overflow=5, pool_pre_ping=True)


def _sqlite_engine(settings: RecorderSettings) -> AsyncEngine:
    path = settings.sqlite_file
    assert path is not None
    if not path.parent.exists():  # a file of its own elsewhere (`db_url: sqlite:////var/...`)
        make_private_dir(path.parent)
    # SQLite gives its -wal and -shm files the database file's mode.
    fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
    os.close(fd)
    with contextlib.suppress(OSError):
        os.chmod(path, FILE_MODE)
    # One connection: SQLite has one writer at a time, and queries wait for
    # the batch being written instead of failing with "database is locked".
    engine = create_async_engine(settings.url, pool_size=1, max_overflow=0)

    @sa.event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # WAL: readers (the CLI, the API) never wait for the writer. FULL: a
        # commit is on disk before it returns, so an alarm survives a power cut.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    return engine


def _config(connection: sa.Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def current_revision(connection: sa.Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def upgrade(connection: sa.Connection, revision: str = HEAD) -> tuple[str | None, str | None]:
    """Run the migrations up to `revision` on a sync connection (in
    `AsyncConnection.run_sync`); returns (revision before, revision after)."""
    before = current_revision(connection)
    target = head_revision() if revision == HEAD else revision
    if before != target:
        command.upgrade(_config(connection), revision)
    return before, current_revision(connection)


def downgrade(connection: sa.Connection, revision: str) -> None:
    command.downgrade(_config(connection), revision)
