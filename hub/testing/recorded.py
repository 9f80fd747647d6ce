"""What a hub saved in its recorder's database, read by a test after (or
while) the hub runs: the traces `sigap trace` prints, the media index."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..core.recorder import RecorderSettings, database
from ..core.recorder import traces as trace_records


async def saved_traces(
    config_dir: Path, name: str | None = None, recorder: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The trace documents of the hub of `config_dir` (as `sigap trace
    --json` prints them); `recorder`: its `recorder:` section if not the
    default SQLite file."""
    settings = RecorderSettings.from_config(recorder, Path(config_dir))
    engine = database.create_engine(settings)
    try:
        return await trace_records.documents(engine, name)
    finally:
        await engine.dispose()


def saved_traces_now(config_dir: Path, name: str | None = None) -> list[dict[str, Any]]:
    """saved_traces, for a test without a loop (or with one: on a thread)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(saved_traces(config_dir, name))
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(saved_traces(config_dir, name))).result(60)


def last_trace_state(db_file: Path, automation_id: str) -> tuple[str, str | None] | None:
    """(state, execution) of an automation's newest run in a SQLite
    recorder file, read without a loop (a test polling a `sigap run`)."""
    if not Path(db_file).exists():
        return None
    try:
        with sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, timeout=5) as connection:
            return connection.execute(
                "SELECT state, execution FROM traces WHERE automation_id = ?"
                " ORDER BY started DESC LIMIT 1",
                (automation_id,),
            ).fetchone()
    except sqlite3.Error:  # not created yet, or the schema not there yet
        return None


def database_text(db_file: Path) -> str:
    """Every value of every table of a SQLite file, as text (what a canary
    check reads: a secret must not be in the database either)."""
    parts: list[str] = []
    with sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, timeout=5) as connection:
        tables = [
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        for table in tables:
            for row in connection.execute(f'SELECT * FROM "{table}"'):
                parts.extend(str(value) for value in row if value is not None)
    return "\n".join(parts)


async def plant_traces(config_dir: Path, document: Mapping[str, Any]) -> None:
    """Save a trace document in the default SQLite recorder file of
    `config_dir` as an older hub would have (created at the newest schema
    if missing): what a test of `sigap trace` reads."""
    settings = RecorderSettings.from_config(None, Path(config_dir))
    engine = database.create_engine(settings)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(database.upgrade)
        records = trace_records.TraceRecords(lambda: engine, lambda write: None)
        rows = [
            trace_records.trace_row(
                document["id"], document.get("alias"), document.get("entity_id"), trace
            )
            for trace in document.get("traces", ())
        ]
        await records.save_now(rows, max(len(rows), 1))
    finally:
        await engine.dispose()
