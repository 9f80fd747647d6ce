"""The recorder's database, opened to read only, as the hub would find it.

The settings come from the config's `recorder:` section with the hub's own
resolution (RecorderSettings: SQLite `<config>/sigap.db` by default). The
CLI never creates, migrates or writes it: a SQLite file is opened with
`mode=ro` (WAL lets it read while the running hub writes), a PostgreSQL
session is read-only. A file that is not there, a server that does not
answer or a schema the hub never made is a SourceMissing saying so.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from ..i18n import Text
from ..recorder.settings import RecorderSettings


def shown(settings: RecorderSettings) -> str:
    """Which database, for a person: the SQLite file, or the URL without its password."""
    if settings.sqlite_file is not None:
        return str(settings.sqlite_file)
    return settings.url.set(drivername="postgresql").render_as_string(hide_password=True)


class SourceMissing(Exception):
    """The database cannot be read; args[0] is a Text saying why."""


def settings_of(section: Mapping[str, Any] | None, config_dir: Path) -> RecorderSettings:
    return RecorderSettings.from_config(section, config_dir)


def _sqlite_engine(path: Path) -> AsyncEngine:
    import aiosqlite

    uri = f"{path.resolve().as_uri()}?mode=ro"

    async def connect() -> Any:
        connection = await aiosqlite.connect(uri, uri=True)
        # a checkpoint of the running hub may hold the file a moment
        await connection.execute("PRAGMA busy_timeout=10000")
        return connection

    # a connection per query: the file is opened read-only each time
    return create_async_engine("sqlite+aiosqlite://", async_creator=connect, poolclass=NullPool)


def _postgres_engine(settings: RecorderSettings) -> AsyncEngine:
    return create_async_engine(
        settings.url,
        pool_size=2,
        connect_args={
            "server_settings": {"default_transaction_read_only": "on"},
            "timeout": 10,
        },
    )


@contextlib.asynccontextmanager
async def opened(settings: RecorderSettings) -> AsyncIterator[AsyncEngine]:
    """The engine on the recorder's database, checked to hold its schema."""
    where = shown(settings)
    if settings.dialect == "sqlite":
        path = settings.sqlite_file
        assert path is not None
        if not path.is_file():
            raise SourceMissing(Text("report.no_database", path=str(path)))
        engine = _sqlite_engine(path)
    else:
        engine = _postgres_engine(settings)
    try:
        try:
            async with engine.connect() as connection:
                tables = await connection.run_sync(
                    lambda sync: set(sa.inspect(sync).get_table_names())
                )
        except Exception as err:
            raise SourceMissing(Text("report.cannot_read", url=where, error=one_line(err))) from err
        if not {"alembic_version", "alarms", "states", "events", "audit"} <= tables:
            raise SourceMissing(Text("report.no_schema", url=where))
        yield engine
    finally:
        await engine.dispose()


def one_line(err: BaseException) -> str:
    """The driver's words, without the statement SQLAlchemy appends."""
    orig = getattr(err, "orig", None)
    if orig is not None:
        err = orig
    said = str(err).strip().splitlines()
    return f"{type(err).__name__}: {said[0]}" if said else type(err).__name__
