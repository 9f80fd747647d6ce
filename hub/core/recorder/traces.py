"""`hub.recorder.traces`: the automations' traces (what `sigap trace`
prints), each automation's last `stored_traces` runs. The engine saves what
changed every few seconds through the recorder's queue; `sigap trace` reads
the database of a hub running in another process."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from .rows import text
from .tables import traces
from .writes import Write, upsert

CUT_OFF = "cut_off"


def trace_row(
    automation_id: str, alias: str | None, entity_id: str | None, trace: Mapping[str, Any]
) -> dict[str, Any]:
    """A rendered trace (`Trace.as_dict()`, already capped and redacted) as
    its row; the JSON is made here, so call it off the loop."""
    body = json.dumps(trace, ensure_ascii=False, default=str)
    # a lone surrogate (JSON from the network may carry "\ud800") is no
    # UTF-8: stored as the JSON escape it came as, read back the same
    body = body.encode("utf-8", "backslashreplace").decode("utf-8")
    stamp = trace.get("timestamp") or {}
    context = trace.get("context") or {}
    return {
        "context_id": text(context.get("id")) or f"{automation_id}:{trace.get('run_id')}",
        "automation_id": text(automation_id),
        "alias": text(alias),
        "entity_id": text(entity_id),
        "run_id": trace.get("run_id") if isinstance(trace.get("run_id"), int) else None,
        "parent_id": text(context.get("parent_id")),
        "started": float(stamp.get("start") or 0.0),
        "ended": float(stamp["finish"]) if stamp.get("finish") is not None else None,
        "state": text(trace.get("state")) or "stopped",
        "execution": text(trace.get("script_execution")),
        "body": body,
    }


class SaveTrace:
    """Write one run's trace, then forget the automation's runs beyond its
    last `keep` (as the file of old kept the last ten)."""

    __slots__ = ("keep", "key", "row")

    def __init__(self, row: dict[str, Any], keep: int) -> None:
        self.row = row
        self.keep = keep
        self.key = ("trace", row["context_id"])

    async def apply(self, connection: AsyncConnection) -> None:
        await upsert(connection, traces, [self.row])
        automation = traces.c.automation_id == self.row["automation_id"]
        newest = (
            sa.select(traces.c.context_id)
            .where(automation)
            .order_by(traces.c.started.desc(), traces.c.context_id.desc())
            .limit(self.keep)
        )
        await connection.execute(
            traces.delete().where(automation, traces.c.context_id.not_in(newest.scalar_subquery()))
        )


class TraceRecords:
    def __init__(self, engine: Callable[[], AsyncEngine], store: Callable[[Write], None]) -> None:
        self._engine = engine
        self._store = store

    def save(self, row: dict[str, Any], keep: int) -> None:
        """Queue a trace row (trace_row) for the next batch."""
        self._store(SaveTrace(row, keep))

    async def save_now(self, rows: list[dict[str, Any]], keep: int) -> None:
        """Write rows at once (the import of old trace files)."""
        async with self._engine().begin() as connection:
            for row in rows:
                await SaveTrace(row, keep).apply(connection)

    async def mark_cut_off(self) -> int:
        """At start, before any new run is saved: a run still `running` in
        the database was cut off (the last hub was killed or crashed mid-run).
        Returns how many were marked."""
        return await mark_cut_off(self._engine())

    async def documents(self, name: str | None = None) -> list[dict[str, Any]]:
        return await documents(self._engine(), name)


async def mark_cut_off(engine: AsyncEngine) -> int:
    async with engine.begin() as connection:
        result = await connection.execute(
            traces.update()
            .where(traces.c.state == "running")
            .values(state="stopped", execution=CUT_OFF)
        )
    return int(result.rowcount or 0)


async def automation_ids(engine: AsyncEngine) -> list[str]:
    statement = sa.select(traces.c.automation_id).distinct().order_by(traces.c.automation_id)
    async with engine.connect() as connection:
        return list((await connection.execute(statement)).scalars())


async def documents(engine: AsyncEngine, name: str | None = None) -> list[dict[str, Any]]:
    """Each automation's runs, oldest first, as the trace files held them:
    {"id", "alias", "entity_id", "traces"}. `name`: only the automation of
    that id, entity id or alias."""
    statement = sa.select(traces).order_by(
        traces.c.automation_id, traces.c.started, traces.c.context_id
    )
    if name is not None:
        statement = statement.where(
            sa.or_(
                traces.c.automation_id == name, traces.c.entity_id == name, traces.c.alias == name
            )
        )
    async with engine.connect() as connection:
        rows = (await connection.execute(statement)).mappings().all()
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        document = found.setdefault(
            row["automation_id"], {"id": row["automation_id"], "traces": []}
        )
        # the newest run names the automation as it is now
        document["alias"], document["entity_id"] = row["alias"], row["entity_id"]
        trace = json.loads(row["body"]) if row["body"] else {}
        # the columns are the truth: a cut-off run is marked there
        trace["state"], trace["script_execution"] = row["state"], row["execution"]
        document["traces"].append(trace)
    return list(found.values())
